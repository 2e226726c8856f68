// The generated stack, built in-process from configs (the CLI tests cover the same through Serverless).
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { IonsConfigError } from '../../runtime/config/config-error.js';
import type { IonsConfig } from '../../runtime/config/ions-config.js';
import { PROXY_ENV } from '../../runtime/protocol/proxy-env.js';
import { validateIonsConfig } from '../../runtime/config/validate.js';
import { functionUrlSummary, missingUrlInvokePermissions } from '../../plugin/function-url.js';
import { buildModel } from '../../plugin/model.js';
import { PROXY_ARTIFACT, PROXY_HANDLER } from '../../plugin/proxy-artifact.js';
import { proxyFunction } from '../../plugin/proxy-functions.js';
import { readModel } from '../../plugin/read-config.js';
import type { AwsNaming, Serverless } from '../../plugin/serverless-api.js';
import { ionsTemplate } from '../../plugin/template/index.js';
import { checkTemplate } from './cfn-check.js';
import { iamStatements, overlyBroadGrants } from './support/iam.js';

const serviceDir = fileURLToPath(new URL('./fixtures/modules/', import.meta.url));

const soloConfig = (): IonsConfig => ({
  app: 'shop',
  groups: { main: { topology: 'solo' } },
  lambdas: {
    web: { fn: 'src/web.handler', integration: 'api-gateway', events: [{ httpApi: 'GET /' }] },
    importer: { fn: 'src/fns.signup', concurrency: 3, timeout: 60, events: [{ sqs: 'arn:aws:sqs:us-east-1:1:q' }] },
  },
  httpDirect: { handler: 'src/web.other' },
});

const productionConfig = (): IonsConfig => ({
  app: 'ledger',
  groups: {
    primary: { topology: 'production', minSize: 3, maxSize: 9, instanceType: 'm7g.large', vpcId: 'vpc-0123abcd', subnetIds: ['subnet-0123abcd', 'subnet-1123abcd'] },
    reports: { topology: 'production', queryGroup: true, vpcId: 'vpc-0123abcd', subnetIds: ['subnet-2123abcd', 'subnet-3123abcd'], keepRevisions: 5 },
  },
  lambdas: { page: { fn: 'src/web.handler', group: 'reports', integration: 'api-gateway', events: [{ http: 'GET page' }] } },
  parametersPath: '/ledger/prod/',
  storage: { type: 'postgres', urlParameter: '/ledger/prod/db-url' },
});

const generate = (config: IonsConfig, service = 'shop', stage = 'test') => {
  const model = buildModel(validateIonsConfig(config, { serviceDir, service, stage }), service, stage);
  return { model, template: ionsTemplate(model) };
};

const resourcesOfType = (template: { Resources: Record<string, { Type: string }> }, type: string) =>
  Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);

describe('the generated stack', () => {
  it('passes the offline CloudFormation check for both topologies', () => {
    expect(checkTemplate(generate(soloConfig()).template as never)).toEqual([]);
    expect(checkTemplate(generate(productionConfig()).template as never)).toEqual([]);
  });

  it('is the same for the same config, every time', () => {
    expect(generate(soloConfig()).template).toEqual(generate(soloConfig()).template);
  });

  it('keeps every name it sets within AWS limits, however long the service and stage', () => {
    const { model, template } = generate(soloConfig(), 's'.repeat(100), 'production-eu-west-1');
    const props = (id: string) => template.Resources[id]!.Properties as Record<string, string>;
    expect(props('IonsCodeDeployApplication').ApplicationName!.length).toBeLessThanOrEqual(100);
    expect(props('IonsHttpDirectApi').Name!.length).toBeLessThanOrEqual(128);
    expect(props('IonsHttpDirectVpcLink').Name!.length).toBeLessThanOrEqual(128);
    expect(props('IonsDashboard').DashboardName!.length).toBeLessThanOrEqual(255);
    expect(props('IonsSecretFunction').FunctionName!.length).toBeLessThanOrEqual(64);
    for (const proxy of model.proxies) expect(proxy.functionName.length).toBeLessThanOrEqual(64);
  });

  it('grants nothing on * that AWS lets IAM scope', () => {
    for (const config of [soloConfig(), productionConfig()]) {
      const statements = iamStatements(generate(config).template.Resources as never);
      expect(statements.length).toBeGreaterThan(10);
      expect(overlyBroadGrants(statements)).toEqual([]);
    }
  });

  it('runs a solo group on exactly one node, without a scaling policy', () => {
    const { template } = generate(soloConfig());
    expect(template.Resources.IonsMainAsg!.Properties).toMatchObject({ MinSize: '1', MaxSize: '1', DesiredCapacity: '1' });
    expect(resourcesOfType(template, 'AWS::AutoScaling::ScalingPolicy')).toEqual([]);
  });

  it('runs a production group on two or more nodes across zones, scaling on the nodes’ in-flight metric', () => {
    const { template } = generate(productionConfig());
    const asg = template.Resources.IonsPrimaryAsg!.Properties!;
    expect(asg).toMatchObject({ MinSize: '3', MaxSize: '9', VPCZoneIdentifier: ['subnet-0123abcd', 'subnet-1123abcd'] });
    expect(template.Resources.IonsPrimaryScalingPolicy!.Properties).toMatchObject({
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingConfiguration: { CustomizedMetricSpecification: { MetricName: 'InFlight', Dimensions: [{ Name: 'app', Value: 'ledger' }, { Name: 'group', Value: 'primary' }] } },
    });
    expect(template.Resources.IonsReportsAsg!.Properties).toMatchObject({ MinSize: '2', MaxSize: '4' });
  });

  it('creates a VPC with private subnets in two zones only when no group names its subnets', () => {
    const solo = generate(soloConfig()).template;
    // Nodes install Node.js and the agents at first boot, through the VPC endpoints.
    expect(solo.Resources.IonsMainAsg!.DependsOn).toEqual(expect.arrayContaining(['IonsS3Endpoint', 'IonsSsmEndpoint', 'IonsPrivateSubnetARouteTableAssociation']));
    expect(generate(productionConfig()).template.Resources.IonsPrimaryAsg!.DependsOn).toBeUndefined();
    const zones = resourcesOfType(solo, 'AWS::EC2::Subnet').map(([, subnet]) => (subnet as any).Properties.AvailabilityZone);
    expect(zones).toEqual([{ 'Fn::Select': [0, { 'Fn::GetAZs': '' }] }, { 'Fn::Select': [1, { 'Fn::GetAZs': '' }] }]);
    expect(solo.Resources.IonsPrivateSubnetA!.Properties!.MapPublicIpOnLaunch).toBe(false);
    expect(resourcesOfType(generate(productionConfig()).template, 'AWS::EC2::VPC')).toEqual([]);
  });

  it('lets only the load balancer (and a primary group\'s own nodes) reach the nodes, and only proxies, the VPC link and query nodes reach the load balancer', () => {
    const solo = generate(soloConfig()).template;
    expect((solo.Resources.IonsMainNodeSecurityGroup!.Properties as any).SecurityGroupIngress).toEqual([
      expect.objectContaining({ FromPort: 8182, ToPort: 8182, SourceSecurityGroupId: { Ref: 'IonsMainNlbSecurityGroup' } }),
    ]);
    const sources = (template: typeof solo, nlbSg: string) =>
      resourcesOfType(template, 'AWS::EC2::SecurityGroupIngress')
        .filter(([, rule]) => (rule as any).Properties.GroupId.Ref === nlbSg)
        .map(([, rule]) => (rule as any).Properties.SourceSecurityGroupId.Ref);
    expect(sources(solo, 'IonsMainNlbSecurityGroup')).toEqual(['IonsProxySecurityGroup', 'IonsVpcLinkSecurityGroup']);
    const production = generate(productionConfig()).template;
    expect(sources(production, 'IonsPrimaryNlbSecurityGroup')).toEqual(['IonsReportsNodeSecurityGroup']);
    expect(sources(production, 'IonsReportsNlbSecurityGroup')).toEqual(['IonsProxySecurityGroup']);
    // A standby of the primary group passes transactions to the lease holder directly.
    expect(sources(production, 'IonsPrimaryNodeSecurityGroup')).toEqual(['IonsPrimaryNodeSecurityGroup']);
    expect(sources(production, 'IonsReportsNodeSecurityGroup')).toEqual([]);
    for (const [, group] of resourcesOfType(production, 'AWS::EC2::SecurityGroup')) {
      for (const rule of (group as any).Properties.SecurityGroupIngress ?? []) expect(rule.CidrIp).toBeUndefined();
    }
  });

  it('points query groups at the primary group, and nodes at Amazon Linux 2023 for their architecture', () => {
    const { template } = generate(productionConfig());
    const userData = (id: string) => JSON.stringify((template.Resources[id]!.Properties as any).LaunchTemplateData.UserData);
    expect(userData('IonsReportsLaunchTemplate')).toContain('IONS_PRIMARY_ENDPOINT=http://${IonsPrimaryNlb.DNSName}:8182');
    expect(userData('IonsPrimaryLaunchTemplate')).not.toContain('IONS_PRIMARY_ENDPOINT');
    // A group's revision retention reaches its nodes' hooks; unset, the hooks keep their default.
    expect(userData('IonsReportsLaunchTemplate')).toContain('IONS_KEEP_REVISIONS=5');
    expect(userData('IonsPrimaryLaunchTemplate')).not.toContain('IONS_KEEP_REVISIONS');
    expect(userData('IonsPrimaryLaunchTemplate')).toContain('dnf install -y nodejs22');
    expect(userData('IonsPrimaryLaunchTemplate')).toContain('ln -sf /usr/bin/node-22 /usr/local/bin/node');
    expect(userData('IonsPrimaryLaunchTemplate')).toContain('codedeploy-agent');
    expect(Object.keys(template.Parameters ?? {})).toEqual(['IonsAmiArm64', 'IonsAmiX8664']);
    expect((template.Parameters as any).IonsAmiArm64.Default).toBe('/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64');
  });

  it('deploys in place, one node at a time, through the load balancer', () => {
    const { template } = generate(productionConfig());
    expect(template.Resources.IonsPrimaryDeploymentGroup!.Properties).toMatchObject({
      DeploymentConfigName: 'CodeDeployDefault.OneAtATime',
      DeploymentStyle: { DeploymentType: 'IN_PLACE', DeploymentOption: 'WITH_TRAFFIC_CONTROL' },
      AutoScalingGroups: [{ Ref: 'IonsPrimaryAsg' }],
    });
    expect(template.Resources.IonsPrimaryTargetGroup!.Properties).toMatchObject({ HealthCheckPath: '/_ions/health', HealthCheckProtocol: 'HTTP', Port: 8182 });
    expect(template.Resources.IonsPrimaryNlb!.Properties).toMatchObject({ Type: 'network', Scheme: 'internal' });
  });

  it('keeps buckets private, encrypted and TLS-only, and the log table recoverable and encrypted', () => {
    const { template } = generate(soloConfig());
    for (const bucket of ['IonsCodeBucket', 'IonsSegmentsBucket']) {
      expect(template.Resources[bucket]!.Properties).toMatchObject({
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      });
      expect((template.Resources[`${bucket}Policy`]!.Properties as any).PolicyDocument.Statement[0]).toMatchObject({
        Effect: 'Deny',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      });
    }
    expect(template.Resources.IonsLogTable!.Properties).toMatchObject({
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
    });
    expect(template.Resources.IonsLogTable).toBeDefined();
    expect(generate(productionConfig()).template.Resources.IonsLogTable).toBeUndefined();
  });

  it('creates the HMAC key inside AWS, so that no key material is in the template', () => {
    const { template } = generate(soloConfig());
    expect(Object.keys(template.Resources.IonsSecret!.Properties!).sort()).toEqual(['KeyId', 'ParameterName', 'ServiceToken']);
    for (const [, parameter] of resourcesOfType(template, 'AWS::SSM::Parameter')) expect((parameter as any).Properties.Type).toBe('String');
    const code = (template.Resources.IonsSecretFunction!.Properties as any).Code.ZipFile as string;
    expect(code).toContain("Type: 'SecureString'");
    expect(code).toContain('randomBytes(32)');
    expect(code.length).toBeLessThan(4096);
  });

  it('routes HTTP-direct through a VPC link to the group’s listener', () => {
    const { template } = generate(soloConfig());
    expect(template.Resources.IonsHttpDirectIntegration!.Properties).toMatchObject({
      IntegrationType: 'HTTP_PROXY',
      ConnectionType: 'VPC_LINK',
      ConnectionId: { Ref: 'IonsHttpDirectVpcLink' },
      IntegrationUri: { Ref: 'IonsMainListener' },
    });
    expect(template.Outputs!.IonsHttpDirectUrl).toBeDefined();
    expect(generate(productionConfig()).template.Resources.IonsHttpDirectApi).toBeUndefined();
  });

  it('counts alerts from the log group and alarms on them', () => {
    const { template } = generate(soloConfig());
    expect(template.Resources.IonsAlertMetricFilter!.Properties).toMatchObject({ FilterPattern: '{ $.type = "alert" }', LogGroupName: { Ref: 'IonsLogGroup' } });
    expect(template.Resources.IonsAlertAlarm!.Properties).toMatchObject({ MetricName: 'Alerts-shop-test', Threshold: 1 });
    const body = (template.Resources.IonsDashboard!.Properties as any).DashboardBody['Fn::Sub'] as string;
    expect(JSON.parse(body).widgets.length).toBe(3);
  });

  it('publishes the config for the nodes, without the Lambda-side events', () => {
    const { template } = generate(soloConfig());
    const published = JSON.parse((template.Resources.IonsConfigParameter!.Properties as any).Value);
    expect(published.lambdas.web).toEqual({ fn: 'src/web.handler', integration: 'api-gateway' });
    expect(published.httpDirect).toEqual({ handler: 'src/web.other' });
  });

  it('names endpoints, groups and the code bucket in outputs', () => {
    const { template } = generate(productionConfig());
    expect(Object.keys(template.Outputs!)).toEqual(
      expect.arrayContaining(['IonsPrimaryEndpoint', 'IonsReportsEndpoint', 'IonsGroups', 'IonsCodeBucket', 'IonsCodeDeployApplication']),
    );
    expect(template.Outputs!.IonsGroups!.Value).toBe('primary,reports');
  });
});

describe('the proxy functions', () => {
  it('all run the one artifact, configured through the proxy environment', () => {
    const { model } = generate(soloConfig());
    const [web, importer] = model.proxies.map((proxy) => proxyFunction(model, proxy));
    expect(web).toMatchObject({
      name: 'shop-test-main-web',
      handler: PROXY_HANDLER,
      package: { artifact: PROXY_ARTIFACT },
      role: model.proxies[0]!.roleId,
      events: [{ httpApi: 'GET /' }],
      vpc: { securityGroupIds: [{ Ref: 'IonsProxySecurityGroup' }], subnetIds: [{ Ref: 'IonsPrivateSubnetA' }, { Ref: 'IonsPrivateSubnetB' }] },
      environment: {
        [PROXY_ENV.app]: 'shop',
        [PROXY_ENV.group]: 'main',
        [PROXY_ENV.target]: 'web',
        [PROXY_ENV.integration]: 'api-gateway',
        [PROXY_ENV.endpoint]: { 'Fn::Sub': 'http://${IonsMainNlb.DNSName}:8182' },
        [PROXY_ENV.secretParameter]: '/ions/shop/test/hmac-key',
      },
    });
    expect(web!.reservedConcurrency).toBeUndefined();
    expect(web!.dependsOn).toEqual(['IonsSecret']);
    expect(importer).toMatchObject({ reservedConcurrency: 3, timeout: 60, environment: { [PROXY_ENV.integration]: 'event' } });
  });
});

describe('function URLs', () => {
  const urlConfig = (): IonsConfig => {
    const config = soloConfig();
    Object.assign(config.lambdas!, {
      feed: { fn: 'src/web.other', integration: 'api-gateway', url: true, streaming: true },
      files: { fn: 'src/web.other', integration: 'api-gateway', url: { authorizer: 'aws_iam' }, streaming: true },
      page: { fn: 'src/web.other', integration: 'api-gateway', url: { authorizer: 'none' }, events: [{ http: 'GET page' }] },
    });
    return config;
  };
  // The framework's own naming module: the ids below are the ones serverless v3 gives.
  const naming = createRequire(import.meta.url)('serverless/lib/plugins/aws/lib/naming.js') as AwsNaming & { getLambdaLogicalId(key: string): string };

  /** What Serverless compiles for each proxy with a url; osls adds the InvokedViaFunctionUrl grant too. */
  const compiled = (model: ReturnType<typeof generate>['model'], withInvokeGrant: boolean): Record<string, unknown> =>
    Object.fromEntries(
      model.proxies.flatMap((proxy) => {
        if (!proxy.config.url) return [];
        const target = { 'Fn::GetAtt': [naming.getLambdaLogicalId(proxy.key), 'Arn'] };
        const grant = { Type: 'AWS::Lambda::Permission', Properties: { FunctionName: target, Action: 'lambda:InvokeFunction', Principal: '*', InvokedViaFunctionUrl: true } };
        return [
          [naming.getLambdaFunctionUrlLogicalId(proxy.key), { Type: 'AWS::Lambda::Url', Properties: { AuthType: 'NONE', TargetFunctionArn: target } }],
          ...(withInvokeGrant ? [[`Grant${proxy.lambda}`, grant]] : []),
        ];
      }),
    );

  it('gives a lambda with url Serverless’ url property, in RESPONSE_STREAM mode and with IONS_STREAMING=1 when it streams', () => {
    const { model } = generate(urlConfig());
    const fn = (lambda: string) => proxyFunction(model, model.proxies.find((proxy) => proxy.lambda === lambda)!);
    expect(fn('feed').url).toEqual({ invokeMode: 'RESPONSE_STREAM' });
    expect(fn('feed').environment[PROXY_ENV.streaming]).toBe('1');
    expect(fn('files').url).toEqual({ authorizer: 'aws_iam', invokeMode: 'RESPONSE_STREAM' });
    expect(fn('page').url).toBe(true);
    expect(fn('page').environment[PROXY_ENV.streaming]).toBeUndefined();
    expect(fn('web').url).toBeUndefined();
    expect(fn('web').environment[PROXY_ENV.streaming]).toBeUndefined();
    expect(functionUrlSummary(model)).toBe('function URLs: feed (public, streaming), files (aws_iam, streaming), page (public)');
    expect(functionUrlSummary(generate(soloConfig()).model)).toBe('');
  });

  it('adds the InvokedViaFunctionUrl grant a public URL needs when the CLI did not (serverless v3), and only then', () => {
    const { model } = generate(urlConfig());
    const added = missingUrlInvokePermissions(model, compiled(model, false), naming);
    expect(Object.keys(added).sort()).toEqual(['IonsDashmainDashfeedLambdaPermissionFn', 'IonsDashmainDashpageLambdaPermissionFn']);
    expect(added.IonsDashmainDashfeedLambdaPermissionFn).toEqual({
      Type: 'AWS::Lambda::Permission',
      Properties: { FunctionName: { 'Fn::GetAtt': ['IonsDashmainDashfeedLambdaFunction', 'Arn'] }, Action: 'lambda:InvokeFunction', Principal: '*', InvokedViaFunctionUrl: true },
    });
    expect(missingUrlInvokePermissions(model, compiled(model, true), naming)).toEqual({});
    expect(() => missingUrlInvokePermissions(model, {}, naming)).toThrow(
      "ions: the framework compiled no function URL for ions-main-feed: this Serverless version does not know functions' url",
    );
  });
});

describe('reading the config from Serverless', () => {
  const serverless = (ions: unknown, functions: Record<string, unknown> = {}): Serverless =>
    ({
      serviceDir,
      configurationInput: { ions },
      service: { service: 'shop', provider: { stage: 'test', compiledCloudFormationTemplate: { Resources: {} } }, functions },
    }) as unknown as Serverless;

  const errorOf = (action: () => unknown): string => {
    try {
      action();
    } catch (error) {
      expect(error).toBeInstanceOf(IonsConfigError);
      return (error as Error).message;
    }
    throw new Error('expected an error');
  };

  it('uses the --stage option over provider.stage', () => {
    expect(readModel(serverless(soloConfig()), { stage: 'prod' }).proxies[0]!.functionName).toBe('shop-prod-main-web');
  });

  it('refuses a service without an ions block', () => {
    expect(errorOf(() => readModel(serverless(undefined), {}))).toBe(
      'ions: missing: the serverless-ions plugin needs an `ions` block (see serverless.yml.example)',
    );
  });

  it('refuses a config without compute groups', () => {
    expect(errorOf(() => readModel(serverless({ app: 'shop' }), {}))).toBe('ions.groups: required to deploy: at least one compute group runs the app');
  });

  it('refuses a generated function that would replace one of the service’s own', () => {
    expect(errorOf(() => readModel(serverless(soloConfig(), { 'ions-main-web': { handler: 'x.y' } }), {}))).toBe(
      'ions.lambdas.web: its generated function ions-main-web is already defined under functions',
    );
  });
});
