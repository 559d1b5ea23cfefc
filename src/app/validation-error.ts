import type { FastifyError } from 'fastify';
import { HttpError } from './http-error.ts';
import { PATTERN_HINTS } from './schemas.ts';

const DECIMAL_FIELDS = new Set(['costUsd', 'limitAmount']);

interface AjvError {
  keyword: string;
  instancePath: string;
  message?: string;
  params: Record<string, unknown>;
}

/**
 * Turns Fastify's schema failure into a 400 that names the field:
 * `{ "error": "invalid_request", "field": "costUsd", "in": "body", "message": "costUsd must be …" }`.
 */
export function validationHttpError(error: FastifyError): HttpError {
  const first = error.validation?.[0] as AjvError | undefined;
  const location = error.validationContext ?? 'body';
  if (!first) return new HttpError(400, 'invalid_request', error.message, { in: location });
  const path = first.instancePath.split('/').filter(Boolean);
  const join = (...parts: unknown[]) =>
    [...path, ...parts].filter((p) => p !== undefined).join('.') || location;
  let field = join();
  let message: string;
  switch (first.keyword) {
    case 'required':
      field = join(first.params.missingProperty);
      message = `${field} is required`;
      break;
    case 'additionalProperties':
      field = join(first.params.additionalProperty);
      message = `${field} is not a known field`;
      break;
    case 'minProperties':
      message = `${location} must contain at least one field to change`;
      break;
    case 'enum':
      message = `${field} must be one of: ${(first.params.allowedValues as unknown[]).join(', ')}`;
      break;
    case 'pattern':
      message = `${field} ${PATTERN_HINTS[path.at(-1) ?? ''] ?? first.message}`;
      break;
    case 'format':
      message = `${field} must be an ISO-8601 date-time with a time zone, such as 2025-01-31T00:00:00Z`;
      break;
    case 'type':
      // A JSON number is not an exact decimal: say what to send instead of "must be string".
      if (first.params.type === 'string' && DECIMAL_FIELDS.has(path.at(-1) ?? '')) {
        message = `${field} ${PATTERN_HINTS[path.at(-1) ?? '']}, not a JSON number (numbers are not exact)`;
        break;
      }
      message =
        field === location
          ? `the ${location} must be a JSON ${first.params.type}`
          : `${field} ${first.message}`;
      break;
    default:
      message = `${field} ${first.message ?? 'is invalid'}`;
  }
  return new HttpError(400, 'invalid_request', message, { field, in: location });
}
