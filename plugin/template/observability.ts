// What people watch: the nodes' log group, a metric filter counting cast alerts, an alarm on it, and a
// dashboard with alerts, node load and load balancer health per group.
import type { IonsModel } from '../model.js';
import { fitName } from '../names.js';
import { IN_FLIGHT_METRIC, IN_FLIGHT_PERIOD_SECONDS, METRIC_DIMENSIONS, METRIC_NAMESPACE } from '../../runtime/config/node-metrics.js';
import { ref, type TemplatePart } from './cfn.js';

export const LOG_GROUP = 'IonsLogGroup';

const alertMetricName = (model: IonsModel): string => `Alerts-${model.config.app}-${model.stage}`;

export function observabilityPart(model: IonsModel): TemplatePart {
  const { app } = model.config;
  const alerts = alertMetricName(model);
  const widgets: unknown[] = [
    {
      type: 'metric',
      width: 24,
      height: 6,
      properties: { title: 'Alerts', region: '${AWS::Region}', stat: 'Sum', period: 60, metrics: [[METRIC_NAMESPACE, alerts]] },
    },
  ];
  for (const group of model.groups) {
    widgets.push(
      {
        type: 'metric',
        width: 12,
        height: 6,
        properties: {
          title: `${group.name}: requests in flight per node`,
          region: '${AWS::Region}',
          stat: 'Average',
          period: IN_FLIGHT_PERIOD_SECONDS,
          metrics: [[METRIC_NAMESPACE, IN_FLIGHT_METRIC, METRIC_DIMENSIONS.app, app, METRIC_DIMENSIONS.group, group.name]],
        },
      },
      {
        type: 'metric',
        width: 12,
        height: 6,
        properties: {
          title: `${group.name}: healthy nodes and CPU`,
          region: '${AWS::Region}',
          period: 60,
          metrics: [
            ['AWS/NetworkELB', 'HealthyHostCount', 'TargetGroup', `\${${group.id('TargetGroup')}.TargetGroupFullName}`, 'LoadBalancer', `\${${group.id('Nlb')}.LoadBalancerFullName}`, { stat: 'Minimum' }],
            ['AWS/EC2', 'CPUUtilization', 'AutoScalingGroupName', `\${${group.id('Asg')}}`, { stat: 'Average', yAxis: 'right' }],
          ],
        },
      },
    );
  }
  return {
    Resources: {
      [LOG_GROUP]: {
        Type: 'AWS::Logs::LogGroup',
        Properties: { LogGroupName: `/ions/${app}/${model.stage}`, RetentionInDays: 30 },
      },
      IonsAlertMetricFilter: {
        Type: 'AWS::Logs::MetricFilter',
        Properties: {
          LogGroupName: ref(LOG_GROUP),
          FilterPattern: '{ $.type = "alert" }',
          MetricTransformations: [{ MetricNamespace: METRIC_NAMESPACE, MetricName: alerts, MetricValue: '1', DefaultValue: 0 }],
        },
      },
      IonsAlertAlarm: {
        Type: 'AWS::CloudWatch::Alarm',
        Properties: {
          AlarmDescription: `ions ${app} ${model.stage}: a node cast an alert`,
          Namespace: METRIC_NAMESPACE,
          MetricName: alerts,
          Statistic: 'Sum',
          Period: 60,
          EvaluationPeriods: 1,
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          TreatMissingData: 'notBreaching',
        },
      },
      IonsDashboard: {
        Type: 'AWS::CloudWatch::Dashboard',
        Properties: {
          DashboardName: fitName([model.service, model.stage, 'ions'], 255),
          DashboardBody: { 'Fn::Sub': JSON.stringify({ widgets }) },
        },
      },
    },
  };
}
