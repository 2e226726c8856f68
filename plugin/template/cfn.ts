// CloudFormation building blocks: intrinsic functions, resources, IAM statements.

export type CfnValue = unknown;

export interface Resource {
  Type: string;
  Properties?: Record<string, CfnValue>;
  DependsOn?: string | string[];
  DeletionPolicy?: 'Delete' | 'Retain' | 'Snapshot';
  UpdateReplacePolicy?: 'Delete' | 'Retain' | 'Snapshot';
}

export interface Output {
  Description: string;
  Value: CfnValue;
}

export interface TemplatePart {
  Resources: Record<string, Resource>;
  Outputs?: Record<string, Output>;
  Parameters?: Record<string, Record<string, CfnValue>>;
}

export const ref = (id: string): CfnValue => ({ Ref: id });
export const getAtt = (id: string, attribute: string): CfnValue => ({ 'Fn::GetAtt': [id, attribute] });
export const sub = (text: string): CfnValue => ({ 'Fn::Sub': text });
export const join = (separator: string, parts: CfnValue[]): CfnValue => ({ 'Fn::Join': [separator, parts] });

/** `arn:<partition>:<service>:<region>:<account>:<resource>` in this stack's account and region. */
export const stackArn = (service: string, resource: string): CfnValue =>
  sub(`arn:\${AWS::Partition}:${service}:\${AWS::Region}:\${AWS::AccountId}:${resource}`);

export interface Statement {
  Effect: 'Allow';
  Action: string[];
  Resource: CfnValue | CfnValue[];
  Condition?: Record<string, Record<string, CfnValue>>;
}

export const allow = (actions: string[], resource: CfnValue | CfnValue[], condition?: Statement['Condition']): Statement => ({
  Effect: 'Allow',
  Action: actions,
  Resource: resource,
  ...(condition ? { Condition: condition } : {}),
});

export const policyDocument = (statements: Statement[]): CfnValue => ({ Version: '2012-10-17', Statement: statements });

export const assumeRolePolicy = (service: string): CfnValue => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: ['sts:AssumeRole'] }],
});

export const tags = (entries: Record<string, CfnValue>): Array<{ Key: string; Value: CfnValue }> =>
  Object.entries(entries).map(([Key, Value]) => ({ Key, Value }));

export function merge(...parts: TemplatePart[]): TemplatePart {
  const merged: Required<TemplatePart> = { Resources: {}, Outputs: {}, Parameters: {} };
  for (const part of parts) {
    for (const section of ['Resources', 'Outputs', 'Parameters'] as const) {
      for (const [id, value] of Object.entries(part[section] ?? {})) {
        if (id in merged[section]) throw new Error(`generated ${section} ${id} twice`);
        (merged[section] as Record<string, unknown>)[id] = value;
      }
    }
  }
  return merged;
}
