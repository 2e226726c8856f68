// First boot of a node (Amazon Linux 2023): Node.js 20, the CodeDeploy agent, the CloudWatch agent
// shipping the node's JSON lines (and EMF metrics) to the group's log group, and the node as a
// systemd service. The service waits for the first revision: CodeDeploy's hooks install it under
// /opt/ions/current and start the unit (the push/deploy issue owns that layout).
import type { GroupModel, IonsModel } from '../model.js';
import { PROXY_ENV } from '../../runtime/protocol/proxy-env.js';
import { ref, type CfnValue } from './cfn.js';

/** Started by systemd once a revision is installed. */
const NODE_START_COMMAND = '/usr/local/bin/node /opt/ions/current/ions-node.mjs';

interface NodeEnvironment {
  [name: string]: string;
}

/** Lines of /etc/ions/node.env; values may hold `${LogicalId}` references resolved by Fn::Sub. */
export function nodeEnvironment(model: IonsModel, group: GroupModel, primaryEndpoint: string | undefined): NodeEnvironment {
  const env: NodeEnvironment = {
    [PROXY_ENV.app]: model.config.app,
    [PROXY_ENV.group]: group.name,
    IONS_STAGE: model.stage,
    IONS_PORT: String(model.port),
    [PROXY_ENV.secretParameter]: model.secretParameterName,
    IONS_CONFIG_PARAMETER: `${model.parameterPrefix}/config`,
    IONS_STORAGE: model.storageType,
    AWS_REGION: '${AWS::Region}',
  };
  if (model.storageType === 'dynamodb') {
    env.IONS_LOG_TABLE = '${IonsLogTable}';
    env.IONS_SEGMENTS_BUCKET = '${IonsSegmentsBucket}';
  }
  if (primaryEndpoint !== undefined) env.IONS_PRIMARY_ENDPOINT = primaryEndpoint;
  return env;
}

export function userData(model: IonsModel, group: GroupModel, env: NodeEnvironment, logGroup: string): CfnValue {
  const envFile = Object.entries(env).map(([name, value]) => `${name}=${value}`).join('\n');
  const agentConfig = JSON.stringify({
    logs: {
      logs_collected: {
        files: { collect_list: [{ file_path: '/var/log/ions/node.log', log_group_name: '${LogGroupName}', log_stream_name: '{instance_id}' }] },
      },
      metrics_collected: { emf: {} },
    },
  });
  const script = `#!/bin/bash
set -euxo pipefail
dnf install -y nodejs20 ruby wget amazon-cloudwatch-agent
ln -sf /usr/bin/node-20 /usr/local/bin/node
cd /tmp
wget -q https://aws-codedeploy-\${AWS::Region}.s3.\${AWS::Region}.amazonaws.com/latest/install
chmod +x ./install
./install auto
systemctl enable --now codedeploy-agent
useradd --system --home-dir /opt/ions --shell /sbin/nologin ions || true
mkdir -p /opt/ions /etc/ions /var/log/ions
chown ions:ions /opt/ions /var/log/ions
cat > /etc/ions/node.env <<'ENV'
${envFile}
ENV
cat > /etc/systemd/system/ions-node.service <<'UNIT'
[Unit]
Description=serverless-ions node (${model.config.app}, group ${group.name})
After=network-online.target
Wants=network-online.target
ConditionPathExists=/opt/ions/current

[Service]
User=ions
EnvironmentFile=/etc/ions/node.env
ExecStart=${NODE_START_COMMAND}
Restart=always
RestartSec=2
StandardOutput=append:/var/log/ions/node.log
StandardError=append:/var/log/ions/node.log

[Install]
WantedBy=multi-user.target
UNIT
systemctl daemon-reload
systemctl enable ions-node
cat > /etc/ions/cloudwatch-agent.json <<'AGENT'
${agentConfig}
AGENT
/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s -c file:/etc/ions/cloudwatch-agent.json
`;
  return { 'Fn::Base64': { 'Fn::Sub': [script, { LogGroupName: ref(logGroup) }] } };
}
