// Bridges resources/organization.yml to lib/org/template.ts. Without `orgId` it resolves to nothing,
// so the single-account stack is exactly what it was; with it, invalid parameters fail the package.
require('tsx/cjs');
const { loadMappingFile } = require('../lib/mapping/load.ts');
const { listParam, organizationFunctions, organizationResources } = require('../lib/org/template.ts');
const { optionalSettings } = require('./stack-params.ts');

async function settings(resolveVariable) {
  const orgId = String((await resolveVariable('param:orgId')) ?? '');
  if (orgId === '') return undefined;
  return {
    stage: await resolveVariable('sls:stage'),
    hubRegion: await resolveVariable('self:provider.region'),
    orgId,
    targetOus: listParam(await resolveVariable('param:targetOus')),
    regions: listParam(await resolveVariable('param:regions')),
    mapping: loadMappingFile(await resolveVariable('param:mappingFile')),
  };
}

module.exports = {
  async resources({ resolveVariable }) {
    const s = await settings(resolveVariable);
    return s ? organizationResources(s) : {};
  },
  // Each entry null without orgId: serverless drops a function defined as null.
  async functions({ resolveVariable }) {
    const s = await settings(resolveVariable);
    if (!s) return { sweepPlanner: null, sweepWorker: null };
    return organizationFunctions({
      stage: s.stage,
      targetOus: s.targetOus,
      accounts: listParam(await resolveVariable('param:accounts')),
      regions: s.regions,
      sweepRate: String(await resolveVariable('param:sweepRate')),
      sweepEnabled: String(await resolveVariable('param:sweepEnabled')) === 'true',
      // The remediate function's reservation, read as serverless.yml reads it ('' = none).
      reservedConcurrency: optionalSettings({
        reservedConcurrency: await resolveVariable('param:reservedConcurrency'),
        region: await resolveVariable('aws:region'),
      }).reservedConcurrency?.remediate,
    });
  },
};
