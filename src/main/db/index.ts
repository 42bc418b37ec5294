export { HistoryStore } from './history-store';
export { HistoryStoreError } from './errors';
export { APPLICATION_ID, LATEST_VERSION } from './migrations';
export * from '../../shared/history';
