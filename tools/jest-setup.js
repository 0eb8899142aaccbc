// Tests log only errors unless asked otherwise (BROKER_TS_LOG_LEVEL=debug to see more).
process.env.BROKER_TS_LOG_LEVEL = process.env.BROKER_TS_LOG_LEVEL || 'error';
