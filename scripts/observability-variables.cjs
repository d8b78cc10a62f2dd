// Bridges resources/observability.yml to lib/observe: the alarms, the alarm topic and the dashboard
// are built from the stage's parameters and the functions' timeouts, so thresholds follow them.
require('tsx/cjs');
const { observabilityResources } = require('../lib/observe/resources.ts');
const { sweepPeriodSeconds } = require('../lib/observe/schedule.ts');

const isTrue = (value) => String(value) === 'true';

module.exports = {
  async resources({ resolveVariable }) {
    return observabilityResources({
      stage: await resolveVariable('sls:stage'),
      remediateTimeout: Number(await resolveVariable('self:provider.timeout')),
      sweepTimeout: Number(await resolveVariable('self:functions.sweep.timeout')),
      sweepPeriodSeconds: sweepPeriodSeconds(String(await resolveVariable('param:sweepRate'))),
      sweepEnabled: isTrue(await resolveVariable('param:sweepEnabled')),
      securityHub: isTrue(await resolveVariable('param:securityHub')),
    });
  },
};
