// Renders the README's tool list from the tools' own schemas (tools/list), so the
// documentation cannot drift from what the server offers.

function inputLine(name, schema, required) {
  const type = schema.enum
    ? schema.enum.map((v) => `\`${v}\``).join(' \\| ')
    : Array.isArray(schema.type)
      ? schema.type.map((t) => (t === 'array' ? `${schema.items?.type ?? 'value'}[]` : t)).join(' \\| ')
      : (schema.type ?? 'value');
  const opt = required.includes(name) ? '' : '?';
  return `\`${name}${opt}\` (${type})${schema.description ? ` — ${schema.description}` : ''}`;
}

/** @param {import('@modelcontextprotocol/sdk/types.js').Tool[]} tools */
export function renderToolList(tools) {
  const lines = [];
  for (const tool of tools) {
    const hints = tool.annotations ?? {};
    const flags = [
      hints.readOnlyHint ? 'read-only' : 'writes',
      hints.destructiveHint ? 'destructive' : null,
      hints.idempotentHint ? 'idempotent' : null,
    ]
      .filter(Boolean)
      .join(', ');
    lines.push(`- **\`${tool.name}\`** (${flags}) — ${tool.description}`);
    const props = tool.inputSchema.properties ?? {};
    const required = tool.inputSchema.required ?? [];
    for (const [name, schema] of Object.entries(props)) lines.push(`  - ${inputLine(name, schema, required)}`);
  }
  return `${lines.join('\n')}\n`;
}
