import type { TestProject } from 'vitest/node';
import { packageService } from '../../support/package.js';

declare module 'vitest' {
  export interface ProvidedContext {
    templateFile: string;
  }
}

/** Packages the service once per test run; template tests and the event-pattern tests read it. */
export default function setup(project: TestProject) {
  const { file } = packageService('test');
  project.provide('templateFile', file);
}
