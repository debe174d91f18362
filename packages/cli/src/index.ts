/**
 * @nemo-flow/cli — the demo agent, for use from code.
 *
 * @module @nemo-flow/cli
 */
export { runResearchAgent } from './demo/agent.js';
