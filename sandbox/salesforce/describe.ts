// GET /sobjects/{Lead|Contact}/describe: the fields of the shared data model, in exactly the
// shape Salesforce sends (every key of the recorded describe, same types), so a client that
// reads the real describe reads this one.

import type { SObjectName } from './wire.ts';
import { SF_KEY_PREFIX, type SfFieldKind, type SfFieldSpec, type SfSchema } from '../sf-schema.ts';

const SOAP_TYPES: Record<SfFieldKind, string> = {
  id: 'tns:ID',
  reference: 'tns:ID',
  string: 'xsd:string',
  url: 'xsd:string',
  multipicklist: 'xsd:string',
  percent: 'xsd:double',
  email: 'xsd:string',
  phone: 'xsd:string',
  textarea: 'xsd:string',
  picklist: 'xsd:string',
  boolean: 'xsd:boolean',
  double: 'xsd:double',
  currency: 'xsd:double',
  int: 'xsd:int',
  date: 'xsd:date',
  datetime: 'xsd:dateTime',
};

const TEXT: ReadonlySet<SfFieldKind> = new Set(['string', 'email', 'phone', 'url', 'textarea', 'picklist', 'multipicklist']);

function describeField(f: SfFieldSpec): Record<string, unknown> {
  const longText = !f.filterable;
  const system = !f.updateable && !f.createable;
  return {
    length: f.length,
    name: f.name,
    type: f.type,
    defaultValue: f.type === 'boolean' ? false : null,
    label: f.label,
    updateable: f.updateable,
    calculated: false,
    controllerName: null,
    nillable: f.nillable,
    unique: false,
    precision: f.precision ?? 0,
    scale: f.scale ?? 0,
    caseSensitive: false,
    byteLength: f.type === 'id' || f.type === 'reference' ? 18 : TEXT.has(f.type) ? f.length * 3 : 0,
    inlineHelpText: null,
    nameField: false,
    externalId: false,
    idLookup: f.type === 'id' || f.type === 'email',
    filterable: f.filterable,
    soapType: SOAP_TYPES[f.type],
    createable: f.createable,
    deprecatedAndHidden: false,
    autoNumber: false,
    calculatedFormula: null,
    defaultValueFormula: null,
    defaultedOnCreate: system || f.type === 'boolean',
    digits: f.digits ?? 0,
    groupable: !longText && !['double', 'currency', 'percent', 'datetime', 'multipicklist'].includes(f.type),
    picklistValues: (f.picklist ?? []).map((value, i) => ({
      value,
      active: true,
      label: value,
      defaultValue: f.name === 'Status' && i === 0,
      validFor: null,
    })),
    referenceTo: [...(f.referenceTo ?? [])],
    relationshipName: f.type === 'reference' ? f.name.replace(/Id$/, '') : null,
    relationshipOrder: null,
    restrictedPicklist: f.restricted === true,
    namePointing: false,
    custom: f.custom,
    htmlFormatted: false,
    dependentPicklist: false,
    writeRequiresMasterRead: false,
    sortable: f.sortable,
  };
}

export function describeObject(schema: SfSchema, object: SObjectName, version: string, baseUrl: string): Record<string, unknown> {
  const prefix = SF_KEY_PREFIX[object];
  const root = `/services/data/v${version}/sobjects/${object}`;
  return {
    name: object,
    fields: schema.list(object).map(describeField),
    label: object,
    custom: false,
    keyPrefix: prefix,
    labelPlural: `${object}s`,
    layoutable: true,
    activateable: false,
    updateable: true,
    urls: {
      uiEditTemplate: `${baseUrl}/{ID}/e`,
      sobject: root,
      uiDetailTemplate: `${baseUrl}/{ID}`,
      describe: `${root}/describe`,
      rowTemplate: `${root}/{ID}`,
      uiNewRecord: `${baseUrl}/${prefix}/e`,
    },
    searchable: true,
    childRelationships: [
      { field: 'WhoId', deprecatedAndHidden: false, relationshipName: 'Tasks', cascadeDelete: false, childSObject: 'Task' },
      { field: 'WhoId', deprecatedAndHidden: false, relationshipName: 'Events', cascadeDelete: false, childSObject: 'Event' },
    ],
    createable: true,
    customSetting: false,
    deletable: true,
    deprecatedAndHidden: false,
    feedEnabled: true,
    listviewable: null,
    lookupLayoutable: null,
    mergeable: true,
    queryable: true,
    recordTypeInfos: [{ name: 'Master', available: true, recordTypeId: '012000000000000AAA', defaultRecordTypeMapping: true }],
    replicateable: true,
    retrieveable: true,
    searchLayoutable: null,
    undeletable: true,
    triggerable: true,
  };
}
