// A node:test reporter for run.sh: counts the tests per browser engine and writes one line per
// group, "web (firefox): N passed, N failed, N skipped". An engine test's name starts with its
// engine ("firefox: …"; node reports the file that defined it, engines/suite.mjs, not the one that
// ran it), a file that failed to load is engines/<engine>.test.mjs; e2e/ runs in Chromium only
// (through harness.mjs), unit/ under Node alone. Suites are not counted (their tests are), except a skipped suite, whose tests
// are never reported. A cancelled test and a file that failed to load count as failed, as in the
// spec reporter's closing lines that run.sh adds up.
import path from 'node:path';

const engines = ['chromium', 'firefox', 'webkit'];

function groupOf(name, file) {
  const named = /^(\w+): /.exec(name ?? '')?.[1];
  if (engines.includes(named)) return named;
  const parts = (file ?? '').split(path.sep);
  const engine = /^(\w+)\.test\.mjs$/.exec(parts.at(-1) ?? '')?.[1];
  if (parts.at(-2) === 'engines' && engines.includes(engine)) return engine;
  if (parts.includes('e2e')) return 'chromium e2e';
  if (parts.includes('unit')) return 'unit (node)';
  return 'other';
}

export default async function* perEngineReporter(source) {
  const counts = new Map();
  const count = (group, outcome) => {
    if (!counts.has(group)) counts.set(group, { passed: 0, failed: 0, skipped: 0 });
    counts.get(group)[outcome] += 1;
  };
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const { data } = event;
    const isSuite = data.details?.type === 'suite';
    const group = groupOf(data.name, data.file);
    if (data.skip !== undefined && data.skip !== false) count(group, 'skipped');
    else if (isSuite) continue;
    else count(group, event.type === 'test:pass' ? 'passed' : 'failed');
  }
  const order = [...engines, ...[...counts.keys()].filter((group) => !engines.includes(group)).sort()];
  for (const group of order) {
    const { passed, failed, skipped } = counts.get(group) ?? { passed: 0, failed: 0, skipped: 0 };
    yield `web (${group}): ${passed} passed, ${failed} failed, ${skipped} skipped\n`;
  }
}
