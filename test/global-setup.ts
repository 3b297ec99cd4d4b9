/**
 * Once per run, before any test file: one headless Chromium that every
 * browser suite connects to (preview-helpers.ts), instead of a launch per
 * suite. Each suite opens its own pages in a context of its own, so they
 * share nothing but the browser process.
 */
import { chromium, type BrowserServer } from 'playwright-core';
import type { TestProject } from 'vitest/node';
import { CHROMIUM_ARGS } from './preview-helpers.js';
import { CHROMIUM, HAS_CHROMIUM } from './system-parts.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The shared Chromium's address for playwright's connect, where chromium is installed. */
    chromiumEndpoint: string | undefined;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let server: BrowserServer | undefined;
  if (HAS_CHROMIUM) server = await chromium.launchServer({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  project.provide('chromiumEndpoint', server?.wsEndpoint());
  return async () => {
    await server?.close();
  };
}
