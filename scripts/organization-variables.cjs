// Bridges resources/organization.yml to lib/org/template.ts. Without `orgId` it resolves to nothing,
// so the single-account stack is exactly what it was; with it, invalid parameters fail the package.
require('tsx/cjs');
const { loadMappingFile } = require('../lib/mapping/load.ts');
const { listParam, organizationResources } = require('../lib/org/template.ts');

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
  async enabled({ resolveVariable }) {
    return String((await resolveVariable('param:orgId')) ?? '') !== '';
  },
};
