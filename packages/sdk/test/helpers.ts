/** Shared test helpers (the runtime's). */
export { capture, collectFailures, tick } from '../../runtime/test/helpers.js';
