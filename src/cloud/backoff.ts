/** The cloud client's reconnect back-off is the one back-off of the gateway. */
export { backoffDelay } from '../driver-api/backoff.js';
