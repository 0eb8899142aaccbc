/** The format of the captured-traffic fixtures in `test/fixtures/native/` (see its README). */

/** One side of a captured connection. */
export interface CapturedSide {
  /** Who this is: `broker-node`, `python`, `broker-ts` or `raw`. */
  kind: string;
  id?: string;
  role: 'connector' | 'acceptor';
  filter?: string[];
}

/** A captured connection as stored in a fixture file. */
export interface CapturedFixture {
  scenario: string;
  description: string;
  broker: { version: string; commit: string };
  connector: CapturedSide;
  acceptor: CapturedSide;
  /** Frames (length prefix included) in the order sent, as hex. */
  connectorToAcceptor: string[];
  acceptorToConnector: string[];
}
