/** The Worker: a POST carrying `{ endpoint, serviceName, exporterOptions }` runs the smoke suite. */
import { runSmoke } from './smoke.mjs';

export default {
  async fetch(request) {
    const { endpoint, serviceName, exporterOptions } = await request.json();
    return Response.json(await runSmoke({ endpoint, serviceName, exporterOptions }));
  },
};
