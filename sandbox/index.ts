// Local emulators of Salesforce and Intercom, a deterministic data generator, schema and people
// files, and an SMTP sink.
import { loadPeopleFiles } from './data-file.ts';
import type { StoredContact } from './intercom/wire.ts';
import { type GeneratorOptions, generatePeople } from './generator.ts';
import type { SchemaFile } from './schema-file.ts';
import { startIntercomSandbox, type IntercomSandbox, type IntercomSandboxOptions } from './intercom/index.ts';
import { startSalesforceSandbox, type SalesforceSandbox, type SalesforceSandboxOptions } from './salesforce/index.ts';

export {
  PLAIN_IN_COMMON,
  generatePeople,
  resolveGeneratorOptions,
  type GeneratorOptions,
  type GeneratedPerson,
  type PersonMeta,
} from './generator.ts';
export { startSalesforceSandbox, type SalesforceSandbox, type SalesforceSandboxOptions } from './salesforce/index.ts';
export {
  startIntercomSandbox,
  type IntercomSandbox,
  type IntercomSandboxOptions,
  defaultDataAttributes,
  signBody,
  DEFAULT_RATE_LIMIT,
  DEFAULT_SEARCH_DELAY_MS,
  HIGH_RATE_LIMIT,
  type StoredContact,
  type DataAttribute,
} from './intercom/index.ts';
export { startSmtpSink, type SmtpSink, type ReceivedMail } from './smtp-sink.ts';
export { readSchemaFile, parseSchema, type SchemaFile } from './schema-file.ts';
export { loadPeopleFiles, dumpSandboxes, PeopleFileError, type DumpResult } from './data-file.ts';
export { SandboxSchemaError } from './schema-error.ts';

export interface Sandboxes {
  salesforce: SalesforceSandbox;
  intercom: IntercomSandbox;
  /** What the people came from: a generated data set, or people files. */
  generator: GeneratorOptions | null;
  close(): Promise<void>;
}

/** Every Intercom contact of a generated data set, lazily. */
export function* intercomSide(gen: GeneratorOptions): Generator<StoredContact> {
  for (const p of generatePeople(gen)) for (const c of p.intercom ?? []) yield c;
}

/** Both sandboxes, with the custom fields and attributes of a schema file, holding one generated
 * data set (the generator runs once per side) or the people of NDJSON files. */
export async function startSandboxes(o: {
  generator?: GeneratorOptions;
  schema?: SchemaFile;
  data?: readonly string[];
  salesforce?: Partial<SalesforceSandboxOptions>;
  intercom?: Partial<IntercomSandboxOptions>;
}): Promise<Sandboxes> {
  const generator = o.data?.length ? null : (o.generator ?? null);
  const salesforce = await startSalesforceSandbox(o.salesforce);
  const intercom = await startIntercomSandbox(o.intercom).catch(async (err: unknown) => {
    await salesforce.close();
    throw err;
  });
  const sandboxes: Sandboxes = {
    salesforce,
    intercom,
    generator,
    close: async () => {
      await Promise.all([salesforce.close(), intercom.close()]);
    },
  };
  try {
    // Fields first: records that use them are checked against them.
    for (const object of ['Lead', 'Contact'] as const)
      for (const f of o.schema?.salesforce[object] ?? []) salesforce.defineField(object, f);
    if (o.schema?.intercom.length) intercom.defineAttributes(o.schema.intercom);
    if (generator) {
      salesforce.seed(generator);
      intercom.seed(intercomSide(generator));
    }
    if (o.data?.length) await loadPeopleFiles(o.data, sandboxes);
  } catch (err) {
    await sandboxes.close();
    throw err;
  }
  return sandboxes;
}
