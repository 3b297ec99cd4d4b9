/**
 * The run's last lines, after vitest's own summary: which suites were skipped
 * for want of a system part, with the one command that installs them all
 * (system-parts.ts), and how many checks the quick tier left for the full
 * one (tier.ts). A run filtered by test name skips everything else, so it
 * gets neither line.
 */
import { relative } from 'node:path';
import type { Reporter, TestCase, TestModule, Vitest } from 'vitest/node';
import { INSTALL_COMMAND, knownMissing, PARTS, type SystemPart } from './system-parts.js';
import { FULL_TIER_COMMAND, FULL_TIER_TAG } from './tier.js';

const PART_NAMES = Object.keys(PARTS) as SystemPart[];

/**
 * Which of the parts a skipped test is tagged with was missing: one known to
 * be, or else one that only the suites look for (the GPU) and that no test
 * of the run got to use. A test that needs redis-server and a GPU, skipped
 * where redis-server is installed and no GPU test ran, wanted the GPU.
 */
function missingPart(test: TestCase, used: ReadonlySet<SystemPart>): SystemPart | undefined {
  const tagged = PART_NAMES.filter((name) => test.tags.includes(PARTS[name].tag));
  return tagged.find((name) => knownMissing(name) === true) ?? tagged.find((name) => knownMissing(name) === undefined && !used.has(name));
}

/** "file › outermost suite": where a skipped test is, in words a reader finds. */
function place(root: string, test: TestCase): string {
  let suite = test.parent;
  let outermost = test.name;
  while (suite.type === 'suite') {
    outermost = suite.name;
    suite = suite.parent;
  }
  return `${relative(root, test.module.moduleId)} › ${outermost}`;
}

export default class RunSummary implements Reporter {
  private vitest!: Vitest;

  onInit(vitest: Vitest): void {
    this.vitest = vitest;
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    if (this.vitest.config.testNamePattern) return;
    const root = this.vitest.config.root;
    /** For each missing part, the places left out and how many tests each. */
    const wanting = new Map<SystemPart, Map<string, number>>();
    const want = (part: SystemPart, where: string, tests: number): void => {
      const places = wanting.get(part) ?? new Map<string, number>();
      places.set(where, (places.get(where) ?? 0) + tests);
      wanting.set(part, places);
    };
    const used = new Set<SystemPart>();
    for (const module of modules) {
      for (const test of module.children.allTests()) {
        if (test.result().state === 'skipped') continue;
        for (const part of PART_NAMES) if (test.tags.includes(PARTS[part].tag)) used.add(part);
      }
    }
    let leftForFull = 0;
    for (const module of modules) {
      for (const test of module.children.allTests()) {
        for (const { type, message } of test.annotations()) {
          const part = PART_NAMES.find((name) => PARTS[name].tag === type);
          if (part) want(part, `${relative(root, module.moduleId)} › ${message}`, 0);
        }
        if (test.result().state !== 'skipped') continue;
        // A check of the full tier that needs a missing part would not run in the full tier either.
        const part = missingPart(test, used);
        if (part) want(part, place(root, test), 1);
        else if (test.tags.includes(FULL_TIER_TAG)) leftForFull++;
      }
    }

    const lines: string[] = [];
    if (wanting.size > 0) {
      lines.push(`skipped for want of system parts; install them with: ${INSTALL_COMMAND}`);
      for (const [part, places] of wanting) {
        lines.push(`  ${PARTS[part].what}:`);
        for (const [where, tests] of places) lines.push(`    ${where}${tests > 0 ? ` (${tests} test${tests === 1 ? '' : 's'})` : ''}`);
      }
    }
    if (leftForFull > 0) lines.push(`quick run: ${leftForFull} checks left for ${FULL_TIER_COMMAND} (CI runs them)`);
    if (lines.length > 0) this.vitest.logger.log(`\n${lines.join('\n')}\n`);
  }
}
