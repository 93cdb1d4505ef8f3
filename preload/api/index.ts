export * from './contract.js';
export * from './errors.js';
export * from './roles.js';
export * from './schemas.js';
export * from './build-api.js';
export * from './clinical/news2.js';
export * from './websocket-transport.js';
export * from './message-port-transport.js';
