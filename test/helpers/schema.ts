import { readFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';

const schema = JSON.parse(readFileSync(new URL('../../schema/report.schema.json', import.meta.url), 'utf8')) as object;
const ajv = new Ajv2020({ allErrors: true });
ajv.addSchema(schema, 'report');

function validator(ref: string): ValidateFunction {
  const validate = ajv.getSchema(ref);
  if (validate === undefined) throw new Error(`no schema ${ref}`);
  return validate;
}

const report = validator('report');
const finding = validator('report#/$defs/finding');

/** The schema's complaints about a value, one per line; empty when it is valid. */
function problems(validate: ValidateFunction, value: unknown): string {
  return validate(value) ? '' : ajv.errorsText(validate.errors, { separator: '\n' });
}

export function reportSchemaProblems(value: unknown): string {
  return problems(report, value);
}

export function findingSchemaProblems(value: unknown): string {
  return problems(finding, value);
}
