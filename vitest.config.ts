// One time limit for the whole suite, sized for CI's kind of machine (2 CPUs) while other work
// runs beside it: the committed-corpus golden check alone takes 4 s idle and 6 s loaded, past
// vitest's 5 s default. A limit is a hang detector here, never an assertion about speed (that is
// `npm run bench`'s job). Tests that boot kernels or run browsers set their own, larger limits.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 300_000,
  },
});
