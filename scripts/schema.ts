/**
 * Writes the machine report's JSON Schema (schemas/report.v<N>.schema.json) from reportSchema: `npx tsx scripts/schema.ts`.
 * A unit test (tests/unit/vocabulary.test.ts) fails when the committed file is not what this generates.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as z from 'zod';
import { REPORT_SCHEMA_VERSION, reportSchema } from '../lib/report/schema.js';

/** One file per schema version: a new version gets a new file, the old one stays for subscribers still on it. */
export const REPORT_JSON_SCHEMA_FILE = `schemas/report.v${REPORT_SCHEMA_VERSION}.schema.json`;
export const REPORT_JSON_SCHEMA_ID = `urn:profile-guard:schema:report:v${REPORT_SCHEMA_VERSION}`;

const DESCRIPTION = [
  `profile-guard's machine report, version ${REPORT_SCHEMA_VERSION}.`,
  'Carried by the SNS protocols sqs, lambda and email-json (in the SNS envelope\'s "Message", or as the whole body with raw message delivery);',
  'email and https (AWS Chatbot) receive human summaries instead.',
  'A report too big for one SNS message is split into parts sharing reportId; counts and outcome describe the whole report in every part.',
  'Fields may be added within a version: ignore the ones you do not know.',
].join(' ');

/**
 * The JSON Schema of what subscribers receive (io: 'output'). Zod marks output objects
 * `additionalProperties: false` (it strips unknown keys); that is dropped here, because the report's
 * contract lets a version gain optional fields and a subscriber validating against this file must
 * keep accepting them.
 */
export function reportJsonSchema(): Record<string, unknown> {
  const { $schema, ...body } = z.toJSONSchema(reportSchema, {
    target: 'draft-2020-12',
    io: 'output',
    override: ({ jsonSchema }) => {
      if (jsonSchema.additionalProperties === false) delete jsonSchema.additionalProperties;
    },
  });
  return { $schema, $id: REPORT_JSON_SCHEMA_ID, title: 'profile-guard report (SNS sqs, lambda and email-json messages)', description: DESCRIPTION, ...body };
}

export function renderReportJsonSchema(): string {
  return `${JSON.stringify(reportJsonSchema(), null, 2)}\n`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  mkdirSync(dirname(REPORT_JSON_SCHEMA_FILE), { recursive: true });
  writeFileSync(REPORT_JSON_SCHEMA_FILE, renderReportJsonSchema());
  console.log(`wrote ${REPORT_JSON_SCHEMA_FILE}`);
}
