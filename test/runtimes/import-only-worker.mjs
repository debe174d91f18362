/** The import-only script as a Worker: loading it must neither throw nor print, and a request answers. */
import * as packages from './import-only.mjs';

export default {
  fetch() {
    // Reading every namespace keeps the bundler from dropping a package as unused.
    return new Response(Object.values(packages).every((ns) => Object.keys(ns).length > 0) ? 'ok' : 'empty namespace');
  },
};
