#!/usr/bin/env node
/**
 * Fails (exit 1) when the source files of a package import each other in a cycle.
 *
 * Every relative import and re-export of every `packages/<name>/src/**.ts` file counts,
 * except test files and fixtures. By default imports that carry only types are left out
 * (they vanish from the compiled code, and a recursive data type such as Broker's `Data`
 * needs them); `--types` counts them too. Each strongly connected component of more than
 * one file (or a file importing itself) is printed with the files in it, unless it is
 * exactly one of the {@link ALLOWED} cycles below: a component that gains or loses a file
 * is reported like any other.
 *
 * Usage: `node tools/check-import-cycles.js [--types] [packages-dir]`.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const ts = require('typescript');

const args = process.argv.slice(2);
const withTypes = args.includes('--types');
const root = path.resolve(args.find((a) => !a.startsWith('--')) ?? path.join(__dirname, '..', 'packages'));

/**
 * The cycles that are one recursive definition of the public API: cutting them into
 * acyclic files would take merging several concepts into one file or changing the API.
 * `files` are relative to the package's `src`; `types` says which check allows the cycle.
 */
const ALLOWED = [
  {
    pkg: 'data',
    types: true,
    files: [
      'address.ts', 'broker-error.ts', 'compare.ts', 'containers.ts', 'count.ts', 'data.ts', 'enum-value.ts', 'format-data.ts',
      'int64.ts', 'natural-data.ts', 'port.ts', 'sorted-index.ts', 'subnet.ts', 'timespan.ts', 'timestamp.ts', 'type-of.ts',
    ],
    why: "Data is the union of the value classes, the containers hold Data, and the order, the text form, the conversion and BrokerError's context are written over Data: Broker's recursive data variant, one file per alternative",
  },
  {
    pkg: 'actor',
    types: true,
    files: ['actor-context.ts', 'actor-system-view.ts', 'actor.ts', 'behavior.ts'],
    why: "a handler receives the ActorContext, and the context's become, spawn (and the system view's spawn) take behaviors, actor classes and behavior factories, which receive a context in turn",
  },
];

/** True when a component (package-relative names, sorted) is exactly an allowed cycle of this check. */
function allowed(pkg, names) {
  return ALLOWED.some((a) => a.pkg === pkg && a.types === withTypes && a.files.length === names.length &&
    [...a.files].sort().every((f, i) => f === names[i]));
}

/** Lists the non-test `.ts` files below `dir`. */
function sourceFiles(dir) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && entry.name !== '__fixtures__') out.push(...sourceFiles(full));
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') && !entry.name.endsWith('.d.ts')) {
      out.push(full);
    }
  }
  return out;
}

/** Resolves a relative specifier from `from` to a source file, or undefined. */
function resolve(from, spec) {
  const base = path.resolve(path.dirname(from), spec);
  for (const candidate of [base, `${base}.ts`, path.join(base, 'index.ts')]) {
    if (candidate.endsWith('.ts') && fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

/** True when an import or export declaration carries only types. */
function typeOnly(node) {
  if (ts.isImportDeclaration(node)) {
    const clause = node.importClause;
    if (!clause) return false; // a side-effect import
    if (clause.isTypeOnly) return true;
    if (clause.name) return false;
    const bindings = clause.namedBindings;
    return bindings !== undefined && ts.isNamedImports(bindings) && bindings.elements.length > 0 &&
      bindings.elements.every((e) => e.isTypeOnly);
  }
  if (node.isTypeOnly) return true;
  const clause = node.exportClause;
  return clause !== undefined && ts.isNamedExports(clause) && clause.elements.length > 0 &&
    clause.elements.every((e) => e.isTypeOnly);
}

/** The relative imports of one file, resolved. */
function importsOf(file) {
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false);
  const out = new Set();
  for (const node of source.statements) {
    if (!ts.isImportDeclaration(node) && !ts.isExportDeclaration(node)) continue;
    const spec = node.moduleSpecifier;
    if (!spec || !ts.isStringLiteral(spec) || !spec.text.startsWith('.')) continue;
    if (!withTypes && typeOnly(node)) continue;
    const target = resolve(file, spec.text);
    if (target) out.add(target);
  }
  return [...out];
}

/** Tarjan's algorithm: the strongly connected components of the import graph. */
function components(graph) {
  let index = 0;
  const indexOf = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const result = [];
  const visit = (v) => {
    indexOf.set(v, index);
    low.set(v, index);
    index += 1;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!indexOf.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v), indexOf.get(w)));
      }
    }
    if (low.get(v) === indexOf.get(v)) {
      const component = [];
      let w;
      do {
        w = stack.pop();
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      result.push(component);
    }
  };
  for (const v of graph.keys()) if (!indexOf.has(v)) visit(v);
  return result;
}

let cycles = 0;
for (const pkg of fs.readdirSync(root).sort()) {
  const src = path.join(root, pkg, 'src');
  if (!fs.existsSync(src)) continue;
  const graph = new Map(sourceFiles(src).map((f) => [f, importsOf(f)]));
  for (const component of components(graph)) {
    const selfImport = component.length === 1 && graph.get(component[0]).includes(component[0]);
    if (component.length < 2 && !selfImport) continue;
    const names = component.map((f) => path.relative(src, f).split(path.sep).join('/')).sort();
    if (allowed(pkg, names)) continue;
    cycles += 1;
    process.stderr.write(`import cycle in ${pkg}/src (${names.length} files):\n  ${names.join('\n  ')}\n`);
  }
}
if (cycles > 0) {
  process.stderr.write(`${cycles} import cycle(s) inside packages${withTypes ? ' (type-only imports included)' : ''}\n`);
  process.exit(1);
}
process.stdout.write(`check-import-cycles: no import cycle inside packages${withTypes ? ' (type-only imports included)' : ''}\n`);
