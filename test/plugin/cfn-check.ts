// An offline CloudFormation check against the resource specification (@aws-cdk/cfnspec): resource
// types exist, property names are valid at every nesting level, required properties are present,
// and every Ref, Fn::GetAtt, Fn::Sub variable and DependsOn points at a resource, a parameter or a
// pseudo parameter, with GetAtt attribute names the type really has. Returns the problems found.
import { specification } from '@aws-cdk/cfnspec';
import type { schema } from '@aws-cdk/cfnspec';

const spec = specification();

// @aws-cdk/cfnspec stopped at 2.72.1 (2023). Properties CloudFormation gained since are declared here,
// each with its type as the CloudFormation reference documents it, keyed by the resource type or by
// the property type (`AWS::Service::Resource.PropertyType`) they belong to.
const NEWER_PROPERTIES: Record<string, Record<string, schema.Property>> = {
  // The grant public function URLs need since October 2025 (osls writes it; the plugin adds it for serverless v3).
  'AWS::Lambda::Permission': { InvokedViaFunctionUrl: { PrimitiveType: 'Boolean', Required: false, UpdateType: 'Immutable', Documentation: '' } as schema.Property },
  // BUFFERED or STREAM, since November 2025: API Gateway's "Stream the integration response for your
  // proxy integrations" (response-transfer-mode); the plugin streams REST methods of streaming ions.
  'AWS::ApiGateway::Method.Integration': { ResponseTransferMode: { PrimitiveType: 'String', Required: false, UpdateType: 'Mutable', Documentation: '' } as schema.Property },
};

const PSEUDO_PARAMETERS = new Set([
  'AWS::AccountId',
  'AWS::NotificationARNs',
  'AWS::NoValue',
  'AWS::Partition',
  'AWS::Region',
  'AWS::StackId',
  'AWS::StackName',
  'AWS::URLSuffix',
]);

interface Template {
  Parameters?: Record<string, unknown>;
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown>; DependsOn?: string | string[] }>;
  Outputs?: Record<string, unknown>;
}

const isCustom = (type: string): boolean => type.startsWith('Custom::') || type === 'AWS::CloudFormation::CustomResource';

/** A value computed by CloudFormation: its shape cannot be checked statically. */
function isIntrinsic(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0]!.startsWith('Fn::'));
}

function propertyType(resourceType: string, typeName: string): schema.PropertyType | undefined {
  return spec.PropertyTypes[`${resourceType}.${typeName}`] ?? spec.PropertyTypes[typeName];
}

function checkProperties(
  resourceType: string,
  properties: Record<string, schema.Property> | undefined,
  value: Record<string, unknown>,
  where: string,
  problems: string[],
): void {
  const known = properties ?? {};
  for (const [name, property] of Object.entries(known)) {
    if (property.Required && value[name] === undefined) problems.push(`${where}: required property ${name} is missing`);
  }
  for (const [name, child] of Object.entries(value)) {
    const property = known[name];
    if (!property) {
      problems.push(`${where}: ${resourceType} has no property ${name}`);
      continue;
    }
    checkValue(resourceType, property, child, `${where}.${name}`, problems);
  }
}

function checkNamedType(resourceType: string, typeName: string, value: unknown, where: string, problems: string[]): void {
  if (isIntrinsic(value)) return;
  const type = propertyType(resourceType, typeName);
  if (!type) {
    problems.push(`${where}: the specification has no property type ${typeName}`);
    return;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.push(`${where}: expected a ${typeName} object`);
    return;
  }
  const properties = { ...(type as { Properties?: Record<string, schema.Property> }).Properties, ...NEWER_PROPERTIES[`${resourceType}.${typeName}`] };
  checkProperties(resourceType, properties, value as Record<string, unknown>, where, problems);
}

function checkValue(resourceType: string, property: schema.Property, value: unknown, where: string, problems: string[]): void {
  if (isIntrinsic(value)) return;
  const p = property as { Type?: string; ItemType?: string; PrimitiveType?: string };
  if (p.Type === 'List') {
    if (!Array.isArray(value)) {
      problems.push(`${where}: expected a list`);
      return;
    }
    if (p.ItemType) value.forEach((item, i) => checkNamedType(resourceType, p.ItemType!, item, `${where}[${i}]`, problems));
    return;
  }
  if (p.Type === 'Map') {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      problems.push(`${where}: expected a map`);
      return;
    }
    if (p.ItemType) for (const [key, item] of Object.entries(value)) checkNamedType(resourceType, p.ItemType, item, `${where}.${key}`, problems);
    return;
  }
  if (p.Type) {
    checkNamedType(resourceType, p.Type, value, where, problems);
    return;
  }
  if (p.PrimitiveType && p.PrimitiveType !== 'Json' && typeof value === 'object' && value !== null) {
    problems.push(`${where}: expected a ${p.PrimitiveType}, got ${Array.isArray(value) ? 'a list' : 'an object'}`);
  }
}

function checkReferences(template: Template, problems: string[]): void {
  const parameters = new Set(Object.keys(template.Parameters ?? {}));
  const resources = template.Resources;
  const refOk = (name: string) => name in resources || parameters.has(name) || PSEUDO_PARAMETERS.has(name);
  const getAttOk = (id: string, attribute: string, where: string) => {
    const resource = resources[id];
    if (!resource) return problems.push(`${where}: Fn::GetAtt of unknown resource ${id}`);
    if (isCustom(resource.Type)) return;
    const attributes = spec.ResourceTypes[resource.Type]?.Attributes ?? {};
    if (!(attribute in attributes)) problems.push(`${where}: ${resource.Type} ${id} has no attribute ${attribute}`);
  };
  const walk = (value: unknown, where: string): void => {
    if (Array.isArray(value)) return value.forEach((item, i) => walk(item, `${where}[${i}]`));
    if (typeof value !== 'object' || value === null) return;
    for (const [key, child] of Object.entries(value)) {
      if (key === 'Ref' && typeof child === 'string' && !refOk(child)) problems.push(`${where}: Ref to unknown ${child}`);
      if (key === 'Fn::GetAtt') {
        const [id, attribute] = typeof child === 'string' ? [child.slice(0, child.indexOf('.')), child.slice(child.indexOf('.') + 1)] : (child as [string, string]);
        if (typeof attribute === 'string') getAttOk(id, attribute, where);
      }
      if (key === 'Fn::Sub') {
        const [text, variables] = typeof child === 'string' ? [child, {}] : (child as [string, Record<string, unknown>]);
        for (const match of text.matchAll(/\$\{([^!}][^}]*)\}/g)) {
          const name = match[1]!;
          if (name in variables) continue;
          const dot = name.indexOf('.');
          if (dot > 0 && !name.startsWith('AWS::')) getAttOk(name.slice(0, dot), name.slice(dot + 1), `${where} (Fn::Sub)`);
          else if (!refOk(name)) problems.push(`${where}: Fn::Sub variable \${${name}} resolves to nothing`);
        }
      }
      walk(child, `${where}.${key}`);
    }
  };
  for (const [id, resource] of Object.entries(resources)) {
    walk(resource.Properties, `Resources.${id}.Properties`);
    for (const target of [resource.DependsOn ?? []].flat()) {
      if (!(target in resources)) problems.push(`Resources.${id}: DependsOn unknown resource ${target}`);
    }
  }
  walk(template.Outputs, 'Outputs');
}

export function checkTemplate(template: Template): string[] {
  const problems: string[] = [];
  for (const [id, resource] of Object.entries(template.Resources)) {
    const where = `Resources.${id}`;
    if (isCustom(resource.Type)) {
      if (resource.Properties?.ServiceToken === undefined) problems.push(`${where}: custom resource without ServiceToken`);
      continue;
    }
    const type = spec.ResourceTypes[resource.Type];
    if (!type) {
      problems.push(`${where}: unknown resource type ${resource.Type}`);
      continue;
    }
    checkProperties(resource.Type, { ...type.Properties, ...NEWER_PROPERTIES[resource.Type] }, resource.Properties ?? {}, `${where}.Properties`, problems);
  }
  checkReferences(template, problems);
  return problems;
}
