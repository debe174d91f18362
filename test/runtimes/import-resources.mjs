/**
 * Imports every package (import-only.mjs), then prints what keeps the event loop busy, where the
 * runtime can tell (`process.getActiveResourcesInfo`): nothing the packages started may be listed.
 */
import './import-only.mjs';

const info = typeof process.getActiveResourcesInfo === 'function' ? process.getActiveResourcesInfo() : null;
console.log(JSON.stringify(info));
