/** Rewrites the golden report files from the fixed results; review the diff before committing. */
import { writeFileSync } from 'node:fs';
import { buildReport } from '../lib/report/build.js';
import { renderText } from '../lib/report/text.js';
import { GOLDEN_INPUT } from '../tests/fixtures/results.js';

const report = buildReport(GOLDEN_INPUT);
writeFileSync('tests/fixtures/report-mixed.txt', renderText(report));
writeFileSync('events/sns-report-machine.json', `${JSON.stringify(report, null, 2)}\n`);
