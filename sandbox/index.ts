// Local emulators of Salesforce and Intercom, a deterministic data generator and an SMTP sink.
import { type GeneratorOptions, generatePeople } from './generator.ts';
import { startIntercomSandbox, type IntercomSandbox, type IntercomSandboxOptions } from './intercom/index.ts';
import { startSalesforceSandbox, type SalesforceSandbox, type SalesforceSandboxOptions } from './salesforce/index.ts';
import type { IcContact } from '../connectors/types.ts';

export { generatePeople, resolveGeneratorOptions, type GeneratorOptions, type GeneratedPerson, type PersonMeta } from './generator.ts';
export { startSalesforceSandbox, type SalesforceSandbox, type SalesforceSandboxOptions } from './salesforce/index.ts';
export {
  startIntercomSandbox,
  type IntercomSandbox,
  type IntercomSandboxOptions,
  defaultDataAttributes,
  signBody,
} from './intercom/index.ts';
export { startSmtpSink, type SmtpSink, type ReceivedMail } from './smtp-sink.ts';

export interface Sandboxes {
  salesforce: SalesforceSandbox;
  intercom: IntercomSandbox;
  generator: GeneratorOptions;
  close(): Promise<void>;
}

/** Every Intercom contact of a generated data set, lazily. */
export function* intercomSide(gen: GeneratorOptions): Generator<IcContact> {
  for (const p of generatePeople(gen)) for (const c of p.intercom ?? []) yield c;
}

/** Both sandboxes seeded from one generated data set (the generator runs once per side). */
export async function startSandboxes(o: {
  generator: GeneratorOptions;
  salesforce?: Partial<SalesforceSandboxOptions>;
  intercom?: Partial<IntercomSandboxOptions>;
}): Promise<Sandboxes> {
  const salesforce = await startSalesforceSandbox({ seed: o.generator, ...o.salesforce });
  const intercom = await startIntercomSandbox({ contacts: intercomSide(o.generator), ...o.intercom });
  return {
    salesforce,
    intercom,
    generator: o.generator,
    close: async () => {
      await Promise.all([salesforce.close(), intercom.close()]);
    },
  };
}
