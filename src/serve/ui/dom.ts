/** DOM building with text only: data from the API is never parsed as HTML. */

type Child = Node | string | number | null | undefined | false;

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes))
    if (value !== undefined) node.setAttribute(name, value);
  append(node, ...children);
  return node;
}

export function append(node: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
}

export function clear(node: Node): void {
  while (node.firstChild) node.removeChild(node.firstChild);
}

/** The element with this id; the page is fixed, so a missing one is a bug worth a loud error. */
export function byId<T extends HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (!node) throw new Error(`#${id} is missing from the page`);
  return node as T;
}

export function options(
  select: HTMLSelectElement,
  values: Array<{ value: string; label: string }>,
  selected?: string,
): void {
  clear(select);
  for (const { value, label } of values) select.appendChild(el('option', { value }, label));
  if (selected !== undefined && values.some((v) => v.value === selected)) select.value = selected;
}

/** The status line: errors and progress the user should see. */
export class Status {
  constructor(private readonly node: HTMLElement) {}

  show(message: string): void {
    this.node.textContent = message;
    this.node.hidden = false;
  }

  clear(): void {
    this.node.hidden = true;
    this.node.textContent = '';
  }

  error(error: unknown): void {
    this.show(error instanceof Error ? error.message : String(error));
  }
}

export const percent = (x: number, digits = 2) => `${(100 * x).toFixed(digits)}`;
