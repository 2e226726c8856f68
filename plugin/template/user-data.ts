// First boot of a node (Amazon Linux 2023): Node.js (NODE_MAJOR), the AWS CLI, the CodeDeploy agent,
// the CloudWatch agent shipping the node's JSON lines (and EMF metrics) to the group's log group, and
// the node as a systemd service, all from Amazon Linux's repositories and S3, so that a node needs no
// internet route. The service waits for the first revision: CodeDeploy's hooks (runtime/push/
// codedeploy-bundle.ts) install the runtime it was pushed with from the code bucket, fetch it, point
// the runtime link and /opt/ions/current at them (runtime/deploy/node-layout.ts) and start the unit,
// and later hot-swap the running node, or restart it on a new runtime.
import type { GroupModel, IonsModel } from '../model.js';
import { NODE_BIN, NODE_CURRENT, NODE_DATA, NODE_HOME, NODE_RUNTIME_FILE, NODE_RUNTIME_LINK, NODE_SERVICE, NODE_USER } from '../../runtime/deploy/node-layout.js';
import { NODE_ENV } from '../../runtime/config/node-env.js';
import { ref, type CfnValue } from './cfn.js';
import { LOG_TABLE, SEGMENTS_BUCKET } from './storage.js';
import { NODE_MAJOR } from './node-version.js';

/**
 * Started by systemd once a revision is installed. systemd expands `$IONS_PORT` from the environment
 * file; written without braces, so that Fn::Sub leaves it alone.
 */
const NODE_START_COMMAND = `${NODE_BIN} ${NODE_RUNTIME_LINK}/${NODE_RUNTIME_FILE} node --revision ${NODE_CURRENT} --port $IONS_PORT --host 0.0.0.0 --data ${NODE_DATA}`;

/** Where the boot script writes the node's heap size, a second environment file of the unit. */
export const NODE_HEAP_ENV_FILE = '/etc/ions/node-heap.env';

/**
 * Bash that writes NODE_OPTIONS with a heap of three quarters of the instance's memory to `envFile`.
 * V8 caps its heap at about 4 GB whatever the instance has, and a node keeps its databases in memory,
 * so on a larger instance the cap, not the instance, would end it. The quarter left is for the agents,
 * buffers outside the heap and the page cache of the node's files. No `${}` in it: Fn::Sub would read those.
 */
export function nodeHeapScript(meminfo = '/proc/meminfo', envFile = NODE_HEAP_ENV_FILE): string {
  return `heap_mb=$(awk '/^MemTotal:/ { print int($2 / 1024 * 3 / 4) }' ${meminfo})
test "$heap_mb" -gt 0
echo "NODE_OPTIONS=--max-old-space-size=$heap_mb" > ${envFile}`;
}

interface NodeEnvironment {
  [name: string]: string;
}

/**
 * Lines of /etc/ions/node.env, named by NODE_ENV (what `ions node` reads); values may hold
 * `${LogicalId}` references resolved by Fn::Sub.
 */
export function nodeEnvironment(model: IonsModel, group: GroupModel, primaryEndpoint: string | undefined): NodeEnvironment {
  const env: NodeEnvironment = {
    [NODE_ENV.app]: model.config.app,
    [NODE_ENV.group]: group.name,
    [NODE_ENV.port]: String(model.port),
    [NODE_ENV.secretParameter]: model.secretParameterName,
    [NODE_ENV.configParameter]: `${model.parameterPrefix}/config`,
    [NODE_ENV.storage]: model.storageType,
    [NODE_ENV.region]: '${AWS::Region}',
  };
  if (model.storageType === 'dynamodb') {
    env[NODE_ENV.logTable] = `\${${LOG_TABLE}}`;
    env[NODE_ENV.segmentsBucket] = `\${${SEGMENTS_BUCKET}}`;
  }
  if (primaryEndpoint !== undefined) env[NODE_ENV.primaryEndpoint] = primaryEndpoint;
  if (group.config.keepRevisions !== undefined) env[NODE_ENV.keepRevisions] = String(group.config.keepRevisions);
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
dnf install -y nodejs${NODE_MAJOR} awscli-2 ruby wget amazon-cloudwatch-agent
ln -sf /usr/bin/node-${NODE_MAJOR} ${NODE_BIN}
cd /tmp
wget -q https://aws-codedeploy-\${AWS::Region}.s3.\${AWS::Region}.amazonaws.com/latest/install
chmod +x ./install
./install auto
systemctl enable --now codedeploy-agent
useradd --system --home-dir ${NODE_HOME} --shell /sbin/nologin ${NODE_USER} || true
mkdir -p ${NODE_HOME} /etc/ions /var/log/ions
chown ${NODE_USER}:${NODE_USER} ${NODE_HOME} /var/log/ions
cat > /etc/ions/node.env <<'ENV'
${envFile}
ENV
${nodeHeapScript()}
cat > /etc/systemd/system/${NODE_SERVICE}.service <<'UNIT'
[Unit]
Description=serverless-ions node (${model.config.app}, group ${group.name})
After=network-online.target
Wants=network-online.target
ConditionPathExists=${NODE_CURRENT}
ConditionPathExists=${NODE_RUNTIME_LINK}

[Service]
User=${NODE_USER}
EnvironmentFile=/etc/ions/node.env
EnvironmentFile=${NODE_HEAP_ENV_FILE}
ExecStart=${NODE_START_COMMAND}
Restart=always
RestartSec=2
StandardOutput=append:/var/log/ions/node.log
StandardError=append:/var/log/ions/node.log

[Install]
WantedBy=multi-user.target
UNIT
systemctl daemon-reload
systemctl enable ${NODE_SERVICE}
cat > /etc/ions/cloudwatch-agent.json <<'AGENT'
${agentConfig}
AGENT
/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s -c file:/etc/ions/cloudwatch-agent.json
`;
  return { 'Fn::Base64': { 'Fn::Sub': [script, { LogGroupName: ref(logGroup) }] } };
}
