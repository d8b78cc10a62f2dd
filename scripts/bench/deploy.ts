/** Bench figures for the deploy topic: the peak memory the `memorySize` default is chosen from. */
export { benchMemory as benchDeploy } from './memory.js';
