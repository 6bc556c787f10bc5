// The services the quota benchmarks' leaders get: the clock, and no Salesforce (the quota actor
// reads the org's own limits only once the org is exhausted, which these benchmarks never reach).
export const QUOTA_SERVICES = {
  now: () => Date.now(),
  salesforce: () => {
    throw new Error('the quota benchmarks have no Salesforce org');
  },
};
