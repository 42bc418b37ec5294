import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The files that take minutes, longest first. vitest starts the longest files first only once it has
 * timed them (its cache); on a fresh clone it goes by file size, and the 25-line Fashion-MNIST test
 * would start last and then run alone.
 */
const LONG_FILES = ['test/cli/train-fashion-mnist.test.ts', 'test/main/fault.test.ts', 'test/e2e/app.e2e.test.ts', 'test/e2e/checks.e2e.test.ts', 'test/cli/history.test.ts', 'test/cli/train.test.ts'];

/** vitest's order, except that the files above start first. */
export class LongFilesFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (spec: TestSpecification) => {
      const index = LONG_FILES.indexOf(relative(spec.project.config.root, spec.moduleId).split('\\').join('/'));
      return index < 0 ? LONG_FILES.length : index;
    };
    return sorted.map((spec, order) => ({ spec, order })).sort((a, b) => rank(a.spec) - rank(b.spec) || a.order - b.order).map(({ spec }) => spec);
  }
}
