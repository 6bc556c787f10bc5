// The Salesforce REST shapes the sandbox keeps and serves, written from the REST API Developer
// Guide and the recorded answers in test/fixtures/reference/salesforce/. They are the sandbox's
// own on purpose: the connector has its own reading of the same documents, so a field one side
// gets wrong shows up as a contract test failure instead of being wrong on both sides at once.

/** The sObjects the sandbox holds. Names are case-insensitive on the wire (`lead` is `Lead`). */
export type SObjectName = 'Lead' | 'Contact';
export const SOBJECT_NAMES: readonly SObjectName[] = ['Lead', 'Contact'];

/** A record as stored and returned by a query, without `attributes`: field name -> value.
 * Date-times look like `2024-01-01T00:00:00.000+0000`, dates like `2024-01-01`. */
export type SObjectRecord = { Id: string; SystemModstamp?: string; [field: string]: unknown };

/** `errors[]` of a SaveResult (the SOAP API's Error object in JSON): `statusCode`, not `errorCode`. */
export type SaveError = { statusCode: string; message: string; fields: string[] };

/** One element of an sObject Collections answer, in the order of the records sent. */
export type SaveResult = { id: string; success: boolean; errors: SaveError[] };

/** A top-level REST error: the answer body is an array of these (salesforce/write_error_response.json). */
export type RestError = { message: string; errorCode: string; fields?: string[] };

/** How a REST resource answers: an HTTP status and a JSON body (undefined for 204 No Content). */
export interface ApiAnswer {
  status: number;
  body: unknown;
}

export const restError = (status: number, errorCode: string, message: string, fields?: string[]): ApiAnswer => ({
  status,
  body: [{ message, errorCode, ...(fields ? { fields } : {}) } satisfies RestError],
});
