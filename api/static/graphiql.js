// The cruscotto GraphQL IDE: runs queries against /graphql with the
// variables and headers given, shows the result as indented JSON, and
// explains the schema from an introspection query. Plain DOM code with no
// dependencies, so that the page works offline and is easy to audit.
"use strict";

(function () {
  const ENDPOINT = "/graphql";
  const STORAGE = "cruscotto.ide.";

  // Shown on the first visit: a real, nested question to the graph.
  const EXAMPLE = [
    "# Welcome to cruscotto. Write a query, then press ▶ Run or Ctrl+Enter.",
    "# The Docs pane on the right describes every type and field;",
    "# mutations need a token: add {\"Authorization\": \"Bearer crs_…\"} under Headers.",
    "query Example {",
    "  plans(first: 5) {",
    "    totalCount",
    "    nodes {",
    "      code",
    "      title",
    "      objectives(first: 3) {",
    "        nodes {",
    "          code",
    "          title",
    "          indicators {",
    "            code",
    "            description",
    "            targets { year value { raw } }",
    "          }",
    "        }",
    "      }",
    "    }",
    "  }",
    "}",
    "",
  ].join("\n");

  // Enough of the schema for the explorer: every type with its fields,
  // arguments, input fields, enum values and their descriptions.
  const INTROSPECTION = `query IntrospectionForDocs {
  __schema {
    description
    queryType { name }
    mutationType { name }
    subscriptionType { name }
    types {
      kind name description
      fields(includeDeprecated: true) {
        name description isDeprecated deprecationReason
        args { name description defaultValue type { ...TypeRef } }
        type { ...TypeRef }
      }
      inputFields { name description defaultValue type { ...TypeRef } }
      enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
      interfaces { name }
      possibleTypes { name }
    }
  }
}
fragment TypeRef on __Type {
  kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } }
}`;

  const $ = (id) => document.getElementById(id);
  const queryBox = $("query");
  const variablesBox = $("variables");
  const headersBox = $("headers");
  const result = $("result");
  const status = $("status");
  const docsBody = $("docs-body");
  const docsSearch = $("docs-search");
  const docsBack = $("docs-back");

  // ---------------------------------------------------------------- editors

  function restore(box, key, fallback) {
    const saved = localStorage.getItem(STORAGE + key);
    box.value = saved !== null ? saved : fallback;
    box.addEventListener("input", () => localStorage.setItem(STORAGE + key, box.value));
  }

  function setValue(box, key, value) {
    box.value = value;
    localStorage.setItem(STORAGE + key, value);
  }

  restore(queryBox, "query", EXAMPLE);
  restore(variablesBox, "variables", "");
  restore(headersBox, "headers", "");

  for (const box of [queryBox, variablesBox, headersBox]) {
    box.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        run();
      } else if (event.key === "Tab" && !event.shiftKey) {
        // Indent instead of leaving the editor; Shift+Tab still leaves it.
        event.preventDefault();
        const { selectionStart: start, selectionEnd: end } = box;
        box.setRangeText("  ", start, end, "end");
        box.dispatchEvent(new Event("input"));
      }
    });
  }

  function selectTab(which) {
    const variables = which === "variables";
    variablesBox.hidden = !variables;
    headersBox.hidden = variables;
    $("tab-variables").setAttribute("aria-selected", String(variables));
    $("tab-headers").setAttribute("aria-selected", String(!variables));
  }
  $("tab-variables").addEventListener("click", () => selectTab("variables"));
  $("tab-headers").addEventListener("click", () => selectTab("headers"));

  $("docs-toggle").addEventListener("click", () => {
    const layout = document.querySelector(".layout");
    const hidden = layout.classList.toggle("no-docs");
    $("docs-toggle").setAttribute("aria-expanded", String(!hidden));
  });

  // A light re-indentation by braces and parentheses, outside strings and
  // comments: enough to tidy a pasted one-line query.
  function prettify(source) {
    let out = "";
    let depth = 0;
    let inString = false;
    let line = "";
    const flush = () => {
      const trimmed = line.trim();
      if (trimmed) out += "  ".repeat(Math.max(depth, 0)) + trimmed + "\n";
      line = "";
    };
    for (let i = 0; i < source.length; i++) {
      const c = source[i];
      if (inString) {
        line += c;
        if (c === "\\") { line += source[++i] || ""; continue; }
        if (c === '"') inString = false;
        continue;
      }
      if (c === '"') { inString = true; line += c; continue; }
      if (c === "#") {
        const end = source.indexOf("\n", i);
        line += source.slice(i, end === -1 ? source.length : end);
        i = end === -1 ? source.length : end - 1;
        continue;
      }
      if (c === "{") { line += " {"; flush(); depth++; continue; }
      if (c === "}") { flush(); depth--; line = "}"; flush(); continue; }
      if (c === "\n" || c === ",") { flush(); continue; }
      line += c;
    }
    flush();
    return out.replace(/ +\{/g, " {").replace(/^ \{/gm, "{");
  }
  $("prettify").addEventListener("click", () => setValue(queryBox, "query", prettify(queryBox.value)));

  // ------------------------------------------------------------------ run

  function parseJsonObject(text, what) {
    if (!text.trim()) return {};
    let value;
    try {
      value = JSON.parse(text);
    } catch (e) {
      throw new Error(`${what} are not valid JSON: ${e.message}`);
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      throw new Error(`${what} must be a JSON object`);
    }
    return value;
  }

  async function post(body) {
    const headers = parseJsonObject(headersBox.value, "Headers");
    const response = await fetch(ENDPOINT, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/graphql-response+json, application/json;q=0.9",
        ...headers,
      },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    let json;
    try {
      json = JSON.parse(text);
    } catch (e) {
      json = null;
    }
    return { response, text, json };
  }

  function setStatus(text, isError) {
    status.textContent = text;
    status.classList.toggle("error", Boolean(isError));
  }

  let running = false;
  async function run() {
    if (running) return;
    running = true;
    $("run").disabled = true;
    setStatus("Running…");
    const started = performance.now();
    try {
      const body = { query: queryBox.value, variables: parseJsonObject(variablesBox.value, "Variables") };
      const { response, text, json } = await post(body);
      const ms = Math.round(performance.now() - started);
      const failed = !response.ok || (json && json.errors);
      setStatus(`${response.status} ${response.statusText} · ${ms} ms`, failed);
      showResult(json !== null ? json : text);
    } catch (e) {
      setStatus("Not sent", true);
      result.textContent = String(e.message || e);
      result.classList.add("error");
    } finally {
      running = false;
      $("run").disabled = false;
    }
  }
  $("run").addEventListener("click", run);

  function escapeHtml(text) {
    return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  }

  // Indented JSON with keys, strings, numbers and literals coloured. The
  // text is escaped before any markup is added.
  function showResult(value) {
    result.classList.remove("error");
    if (typeof value === "string") {
      result.textContent = value;
      return;
    }
    const json = escapeHtml(JSON.stringify(value, null, 2));
    result.innerHTML = json.replace(
      /(&quot;(?:[^&]|&(?!quot;))*?&quot;)(\s*:)?|\b(true|false|null)\b|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g,
      (match, str, colon, literal, number) => {
        if (str) return `<span class="${colon ? "j-key" : "j-string"}">${str}</span>${colon || ""}`;
        if (literal) return `<span class="j-literal">${literal}</span>`;
        return `<span class="j-number">${number}</span>`;
      },
    );
  }

  // ----------------------------------------------------------------- docs

  let schema = null; // { types: Map(name → type), roots: [[label, name], …] }
  const history = [];
  let current = null;

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (key === "class") node.className = value;
      else if (key === "onclick") node.addEventListener("click", value);
      else node.setAttribute(key, value);
    }
    for (const child of children) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function typeLink(name) {
    return el("a", { class: "type-link", href: "#", "data-type": name, onclick: (e) => { e.preventDefault(); navigate({ type: name }); } }, name);
  }

  // `[Objective!]!` with the named type clickable.
  function typeRef(ref) {
    if (!ref) return document.createTextNode("?");
    if (ref.kind === "NON_NULL") return el("span", {}, typeRef(ref.ofType), "!");
    if (ref.kind === "LIST") return el("span", {}, "[", typeRef(ref.ofType), "]");
    return typeLink(ref.name);
  }

  function description(text, cls) {
    return text ? el("div", { class: cls || "description" }, text) : null;
  }

  function deprecation(item) {
    return item.isDeprecated ? el("div", { class: "deprecated" }, `Deprecated${item.deprecationReason ? ": " + item.deprecationReason : ""}`) : null;
  }

  function fieldItem(field) {
    const args = field.args || [];
    const signature = el("div", { class: "signature" }, el("span", { class: "field-name" }, field.name));
    if (args.length) {
      signature.append("(");
      args.forEach((arg, i) => {
        if (i) signature.append(", ");
        signature.append(el("span", { class: "arg-name" }, arg.name), ": ", typeRef(arg.type));
        if (arg.defaultValue !== null && arg.defaultValue !== undefined) signature.append(` = ${arg.defaultValue}`);
      });
      signature.append(")");
    }
    if (field.type) signature.append(": ", typeRef(field.type));
    const argDocs = args.filter((a) => a.description).map((a) =>
      el("div", {}, el("span", { class: "arg-name signature" }, a.name), " — ", a.description));
    return el("li", { "data-field": field.name }, signature, description(field.description, "small-desc"), deprecation(field),
      argDocs.length ? el("div", { class: "args" }, ...argDocs) : null);
  }

  function renderRoot() {
    const roots = schema.roots.map(([label, name]) => el("li", {}, el("span", { class: "kind" }, label + " "), typeLink(name),
      description(schema.types.get(name) && schema.types.get(name).description, "small-desc")));
    const all = [...schema.types.values()]
      .filter((t) => !t.name.startsWith("__"))
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((t) => el("li", {}, typeLink(t.name), el("span", { class: "kind" }, " " + t.kind.toLowerCase().replace("_", " "))));
    return [
      el("h2", {}, "Documentation"),
      // Not the schema's own description: async-graphql fills it with a
      // generic text about GraphQL schemas.
      description("Every type of the graph, with its fields and what they mean. Click a type to open it; search by name."),
      el("h3", {}, "Root types"), el("ul", {}, ...roots),
      el("h3", {}, "All types"), el("ul", {}, ...all),
    ];
  }

  function renderType(name) {
    const type = schema.types.get(name);
    if (!type) return [el("p", { class: "error" }, `No type ${name} in the schema.`)];
    const parts = [el("h2", {}, type.name), el("div", { class: "kind" }, type.kind.toLowerCase().replace("_", " ")), description(type.description)];
    if (type.interfaces && type.interfaces.length) {
      parts.push(el("h3", {}, "Implements"), el("ul", {}, ...type.interfaces.map((i) => el("li", {}, typeLink(i.name)))));
    }
    if (type.fields && type.fields.length) parts.push(el("h3", {}, "Fields"), el("ul", {}, ...type.fields.map(fieldItem)));
    if (type.inputFields && type.inputFields.length) parts.push(el("h3", {}, "Input fields"), el("ul", {}, ...type.inputFields.map(fieldItem)));
    if (type.enumValues && type.enumValues.length) {
      parts.push(el("h3", {}, "Values"), el("ul", {}, ...type.enumValues.map((v) =>
        el("li", {}, el("span", { class: "signature field-name" }, v.name), description(v.description, "small-desc"), deprecation(v)))));
    }
    if (type.possibleTypes && type.possibleTypes.length) {
      parts.push(el("h3", {}, "Possible types"), el("ul", {}, ...type.possibleTypes.map((t) => el("li", {}, typeLink(t.name)))));
    }
    return parts;
  }

  function renderSearch(term) {
    const needle = term.toLowerCase();
    const hits = [];
    for (const type of schema.types.values()) {
      if (type.name.startsWith("__")) continue;
      if (type.name.toLowerCase().includes(needle)) hits.push(el("li", {}, typeLink(type.name), el("span", { class: "kind" }, " type")));
      for (const field of type.fields || type.inputFields || []) {
        if (field.name.toLowerCase().includes(needle)) {
          hits.push(el("li", {}, typeLink(type.name), el("span", { class: "signature" }, "." + field.name),
            description(field.description, "small-desc")));
        }
      }
    }
    return [el("h2", {}, `Search: ${term}`), hits.length ? el("ul", {}, ...hits.slice(0, 200)) : el("p", { class: "muted" }, "Nothing matches.")];
  }

  function show(view) {
    current = view;
    docsBack.disabled = history.length === 0;
    let parts;
    if (!schema) parts = [el("p", { class: "muted" }, "The schema is not loaded.")];
    else if (view.type) parts = renderType(view.type);
    else if (view.search) parts = renderSearch(view.search);
    else parts = renderRoot();
    docsBody.replaceChildren(...parts.filter(Boolean));
    docsBody.scrollTop = 0;
  }

  function navigate(view) {
    if (current) history.push(current);
    show(view);
  }

  docsBack.addEventListener("click", () => {
    if (history.length) show(history.pop());
  });

  docsSearch.addEventListener("input", () => {
    const term = docsSearch.value.trim();
    if (term) show({ search: term });
    else show({});
  });

  async function loadSchema() {
    docsBody.replaceChildren(el("p", { class: "muted" }, "Loading the schema…"));
    try {
      const { response, json } = await post({ query: INTROSPECTION, operationName: "IntrospectionForDocs" });
      if (!json || !json.data || !json.data.__schema) {
        const why = json && json.errors ? json.errors.map((e) => e.message).join("; ") : `HTTP ${response.status}`;
        throw new Error(why);
      }
      const s = json.data.__schema;
      schema = {
        types: new Map(s.types.map((t) => [t.name, t])),
        roots: [["query", s.queryType], ["mutation", s.mutationType], ["subscription", s.subscriptionType]]
          .filter(([, t]) => t)
          .map(([label, t]) => [label, t.name]),
      };
      history.length = 0;
      show({});
    } catch (e) {
      schema = null;
      docsBody.replaceChildren(
        el("p", { class: "error" }, "The schema could not be loaded: " + (e.message || e)),
        el("p", { class: "muted" }, "Introspection may be switched off on this server, or it may need a token: add it under Headers and press ↻."),
      );
    }
  }
  $("docs-reload").addEventListener("click", loadSchema);

  loadSchema();
})();
