// The cruscotto GraphQL IDE: an editor with highlighting, schema-aware
// completion, errors while typing and prettify; variables and headers;
// queries and mutations over HTTP, subscriptions over WebSocket
// (graphql-transport-ws); a history of what was run; and a documentation
// explorer built from introspection. Plain DOM code with no dependencies,
// written for this project, so that the page works offline and is easy to
// audit.
//
// The first part (`GraphQL`) is the language: a tokenizer, a small
// recursive-descent parser, a validator against the introspected schema, a
// printer and the completion engine. It touches no DOM, so that it can be
// tried outside a browser. The second part is the page.
"use strict";

const GraphQL = (function () {
  // ------------------------------------------------------------- tokenizer

  const PUNCTUATORS = new Set(["!", "$", "&", "(", ")", ":", "=", "@", "[", "]", "{", "|", "}"]);
  const isNameStart = (c) => (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c === "_";
  const isDigit = (c) => c >= "0" && c <= "9";
  const isNameChar = (c) => isNameStart(c) || isDigit(c);
  const NUMBER = /-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/y;

  // Every token with its kind (Name, Punct, Int, Float, String, BlockString,
  // Comment, Invalid), its text and its offsets. White space and commas are
  // not tokens. A token the language does not allow carries `error`; the
  // tokenizer never stops, so that the rest can still be coloured.
  function tokenize(source) {
    const tokens = [];
    const n = source.length;
    let i = 0;
    while (i < n) {
      const c = source[i];
      if (c === " " || c === "\t" || c === "\n" || c === "\r" || c === "," || c === "\uFEFF") {
        i++;
        continue;
      }
      const start = i;
      let kind;
      let error;
      if (c === "#") {
        while (i < n && source[i] !== "\n" && source[i] !== "\r") i++;
        kind = "Comment";
      } else if (PUNCTUATORS.has(c)) {
        i++;
        kind = "Punct";
      } else if (c === ".") {
        if (source.startsWith("...", i)) {
          i += 3;
          kind = "Punct";
        } else {
          while (source[i] === ".") i++;
          kind = "Invalid";
          error = 'Unexpected "."; a spread is written "...".';
        }
      } else if (isNameStart(c)) {
        while (i < n && isNameChar(source[i])) i++;
        kind = "Name";
      } else if (c === "-" || isDigit(c)) {
        NUMBER.lastIndex = i;
        const m = NUMBER.exec(source);
        if (!m) {
          i++;
          kind = "Invalid";
          error = `Invalid number: expected a digit after "-".`;
        } else {
          i += m[0].length;
          kind = m[2] || m[3] ? "Float" : "Int";
          if (i < n && (isNameChar(source[i]) || source[i] === ".")) {
            while (i < n && (isNameChar(source[i]) || source[i] === ".")) i++;
            kind = "Invalid";
            error = `Invalid number "${source.slice(start, i)}".`;
          }
        }
      } else if (c === '"') {
        if (source.startsWith('"""', i)) {
          i += 3;
          kind = "BlockString";
          for (;;) {
            if (i >= n) {
              error = "Unterminated block string: close it with \"\"\".";
              break;
            }
            if (source.startsWith('\\"""', i)) i += 4;
            else if (source.startsWith('"""', i)) {
              i += 3;
              break;
            } else i++;
          }
        } else {
          i++;
          kind = "String";
          for (;;) {
            const d = source[i];
            if (d === undefined || d === "\n" || d === "\r") {
              error = "Unterminated string: close it with \".";
              break;
            }
            i++;
            if (d === "\\") i++;
            else if (d === '"') break;
          }
        }
      } else {
        i++;
        kind = "Invalid";
        error = `Unexpected character ${JSON.stringify(c)}.`;
      }
      const token = { kind, value: source.slice(start, i), start, end: i };
      if (error) token.error = error;
      tokens.push(token);
    }
    return tokens;
  }

  // Offsets to 1-based lines and columns.
  function lineIndex(source) {
    const starts = [0];
    for (let i = 0; i < source.length; i++) if (source[i] === "\n") starts.push(i + 1);
    return {
      starts,
      at(offset) {
        let lo = 0;
        let hi = starts.length - 1;
        while (lo < hi) {
          const mid = (lo + hi + 1) >> 1;
          if (starts[mid] <= offset) lo = mid;
          else hi = mid - 1;
        }
        return { line: lo + 1, column: offset - starts[lo] + 1 };
      },
    };
  }

  // ---------------------------------------------------------------- parser

  class ParseError extends Error {
    constructor(message, start, end) {
      super(message);
      this.start = start;
      this.end = end;
    }
  }

  // Thrown by a parser in completion mode when it reaches the cursor: what
  // the grammar expects there, and the path of scopes that leads to it.
  class Expectation {
    constructor(kind, info, stack, operation) {
      this.kind = kind;
      this.info = info || {};
      this.stack = stack;
      this.operation = operation;
    }
  }

  const OPERATION_KEYWORDS = new Set(["query", "mutation", "subscription"]);

  function describe(token) {
    if (token.kind === "EOF") return "<EOF>";
    if (token.kind === "Name") return `Name "${token.value}"`;
    if (token.kind === "Punct") return `"${token.value}"`;
    if (token.kind === "String" || token.kind === "BlockString") return `String ${token.value.length > 20 ? token.value.slice(0, 20) + "…" : token.value}`;
    return `${token.kind} "${token.value}"`;
  }

  // A recursive-descent parser of executable documents. Tokens it reads
  // get a `role` (keyword, field, arg, type, variable, …) used for
  // colouring. With `completing`, the token list ends at the cursor and
  // reaching its end throws an `Expectation` instead of an error.
  class Parser {
    constructor(tokens, completing, endOffset) {
      this.tokens = tokens.filter((t) => t.kind !== "Comment");
      this.pos = 0;
      this.completing = completing;
      this.eof = { kind: "EOF", value: "", start: endOffset, end: endOffset };
      this.stack = [];
      this.operation = null;
      this.last = null;
    }

    peek() {
      const t = this.tokens[this.pos] || this.eof;
      if (t.error) throw new ParseError(t.error, t.start, t.end);
      return t;
    }

    next() {
      const t = this.peek();
      if (t.kind !== "EOF") this.pos++;
      this.last = t;
      return t;
    }

    at(value) {
      const t = this.peek();
      return t.kind === "Punct" && t.value === value;
    }

    atName(value) {
      const t = this.peek();
      return t.kind === "Name" && (value === undefined || t.value === value);
    }

    hint(kind, info) {
      if (this.completing && this.peek().kind === "EOF") {
        throw new Expectation(kind, info, this.stack.slice(), this.operation);
      }
    }

    fail(message, token) {
      const t = token || this.peek();
      throw new ParseError(message, t.start, Math.max(t.end, t.start + 1));
    }

    expect(value, role) {
      const t = this.peek();
      if (t.kind === "Punct" && t.value === value) {
        if (role) t.role = role;
        return this.next();
      }
      return this.fail(`Expected "${value}", found ${describe(t)}.`);
    }

    expectName(role) {
      const t = this.peek();
      if (t.kind !== "Name") this.fail(`Expected Name, found ${describe(t)}.`);
      t.role = role;
      return this.next();
    }

    expectKeyword(word) {
      const t = this.peek();
      if (t.kind !== "Name" || t.value !== word) this.fail(`Expected "${word}", found ${describe(t)}.`);
      t.role = "keyword";
      return this.next();
    }

    node(kind, start, fields) {
      return Object.assign({ kind, start, end: this.last ? this.last.end : start }, fields);
    }

    parseDocument() {
      const definitions = [];
      for (;;) {
        this.hint("definition");
        if (this.peek().kind === "EOF") break;
        definitions.push(this.parseDefinition());
      }
      return { kind: "Document", definitions, start: 0, end: this.eof.end };
    }

    parseDefinition() {
      const t = this.peek();
      if (t.kind === "Punct" && t.value === "{") return this.parseOperation();
      if (t.kind === "Name" && OPERATION_KEYWORDS.has(t.value)) return this.parseOperation();
      if (t.kind === "Name" && t.value === "fragment") return this.parseFragment();
      if (t.kind === "Name" && ["type", "schema", "scalar", "input", "enum", "interface", "union", "directive", "extend"].includes(t.value)) {
        return this.fail(`A type system definition ("${t.value}") cannot be run: write a query, mutation, subscription or fragment.`);
      }
      return this.fail(`Unexpected ${describe(t)}: a document holds operations (query, mutation, subscription, { … }) and fragments.`);
    }

    parseOperation() {
      const start = this.peek().start;
      let operation = "query";
      let keyword = null;
      let name = null;
      if (this.atName()) {
        keyword = this.next();
        keyword.role = "keyword";
        operation = keyword.value;
        this.hint("none");
        if (this.atName()) {
          name = this.expectName("def");
          this.hint("none");
        }
      }
      const op = { kind: "OperationDefinition", operation, keyword, name, variables: [], directives: [], selectionSet: null, start };
      this.operation = op;
      this.stack.push({ kind: "operation", operation });
      if (keyword && this.at("(")) this.parseVariableDefinitions(op);
      op.directives = this.parseDirectives(operation.toUpperCase());
      this.hint("none");
      op.selectionSet = this.parseSelectionSet();
      this.stack.pop();
      op.end = this.last.end;
      return op;
    }

    parseVariableDefinitions(op) {
      this.expect("(");
      for (;;) {
        this.hint("none");
        if (this.at(")")) break;
        const start = this.peek().start;
        this.expect("$", "variable");
        this.hint("none");
        const name = this.expectName("variable");
        this.hint("none");
        this.expect(":");
        this.hint("type", { input: true });
        const type = this.parseTypeRef();
        let defaultValue = null;
        if (this.at("=")) {
          this.next();
          this.stack.push({ kind: "varDefault", type });
          this.hint("value");
          defaultValue = this.parseValue(true);
          this.stack.pop();
        }
        const directives = this.parseDirectives("VARIABLE_DEFINITION");
        op.variables.push(this.node("VariableDefinition", start, { name, type, defaultValue, directives }));
      }
      if (!op.variables.length) this.fail(`Expected "$", found ")".`);
      this.expect(")");
    }

    parseTypeRef() {
      const start = this.peek().start;
      let type;
      if (this.at("[")) {
        this.next();
        this.hint("type", { input: true });
        const ofType = this.parseTypeRef();
        this.expect("]");
        type = this.node("ListType", start, { type: ofType });
      } else {
        const name = this.expectName("type");
        type = this.node("NamedType", start, { name });
      }
      if (this.at("!")) {
        this.next();
        type = this.node("NonNullType", start, { type });
      }
      return type;
    }

    parseSelectionSet() {
      const start = this.peek().start;
      this.expect("{");
      const selections = [];
      for (;;) {
        this.hint("selection");
        if (this.at("}")) break;
        if (this.peek().kind === "EOF") this.fail(`Expected "}", found <EOF>.`);
        selections.push(this.parseSelection());
      }
      if (!selections.length) this.fail(`Expected Name, found "}": a selection set selects at least one field.`);
      this.expect("}");
      return this.node("SelectionSet", start, { selections });
    }

    parseSelection() {
      const start = this.peek().start;
      if (this.at("...")) {
        this.next();
        this.hint("spread");
        if (this.atName("on")) {
          this.expectKeyword("on");
          this.hint("type", { composite: true });
          const tstart = this.peek().start;
          const typeCondition = this.node("NamedType", tstart, { name: this.expectName("type") });
          const directives = this.parseDirectives("INLINE_FRAGMENT");
          this.stack.push({ kind: "inline", type: typeCondition.name.value });
          const selectionSet = this.parseSelectionSet();
          this.stack.pop();
          return this.node("InlineFragment", start, { typeCondition, directives, selectionSet });
        }
        if (this.atName()) {
          const name = this.expectName("fragment");
          const directives = this.parseDirectives("FRAGMENT_SPREAD");
          return this.node("FragmentSpread", start, { name, directives });
        }
        const directives = this.parseDirectives("INLINE_FRAGMENT");
        this.stack.push({ kind: "inline", type: null });
        const selectionSet = this.parseSelectionSet();
        this.stack.pop();
        return this.node("InlineFragment", start, { typeCondition: null, directives, selectionSet });
      }
      let alias = null;
      let name = this.expectName("field");
      if (this.at(":")) {
        alias = name;
        alias.role = "alias";
        this.next();
        this.hint("selection");
        name = this.expectName("field");
      }
      const args = this.at("(") ? this.parseArguments("field", name.value) : [];
      const directives = this.parseDirectives("FIELD");
      let selectionSet = null;
      if (this.at("{")) {
        this.stack.push({ kind: "field", name: name.value });
        selectionSet = this.parseSelectionSet();
        this.stack.pop();
      }
      return this.node("Field", start, { alias, name, arguments: args, directives, selectionSet });
    }

    parseArguments(owner, name, isConst) {
      this.expect("(");
      const frame = { kind: "args", owner, name, seen: [] };
      this.stack.push(frame);
      const args = [];
      for (;;) {
        this.hint("argument");
        if (this.at(")")) break;
        args.push(this.parseEntry(frame, "arg", "arg", "Argument", isConst));
      }
      this.stack.pop();
      if (!args.length) this.fail(`Expected Name, found ")": remove the empty parentheses.`);
      this.expect(")");
      return args;
    }

    // One `name: value` of an argument list or an input object, its name
    // noted in `frame`: a node of `nodeKind`, its name expected as
    // `nameKind`, its value parsed inside a `stackKind` frame.
    parseEntry(frame, nameKind, stackKind, nodeKind, isConst) {
      const start = this.peek().start;
      const name = this.expectName(nameKind);
      frame.seen.push(name.value);
      this.hint("none");
      this.expect(":");
      this.stack.push({ kind: stackKind, name: name.value });
      this.hint("value");
      const value = this.parseValue(isConst);
      this.stack.pop();
      return this.node(nodeKind, start, { name, value });
    }

    parseDirectives(location) {
      const directives = [];
      while (this.at("@")) {
        const start = this.peek().start;
        this.expect("@", "directive");
        this.hint("directive", { location });
        const name = this.expectName("directive");
        const args = this.at("(") ? this.parseArguments("directive", name.value) : [];
        directives.push(this.node("Directive", start, { name, arguments: args }));
      }
      return directives;
    }

    parseValue(isConst) {
      const t = this.peek();
      const start = t.start;
      if (t.kind === "Punct" && t.value === "$") {
        if (isConst) this.fail("A default value cannot use a variable.");
        this.expect("$", "variable");
        this.hint("variable");
        const name = this.expectName("variable");
        return this.node("Variable", start, { name });
      }
      if (t.kind === "Punct" && t.value === "[") {
        this.next();
        this.stack.push({ kind: "list" });
        const values = [];
        for (;;) {
          this.hint("value");
          if (this.at("]")) break;
          values.push(this.parseValue(isConst));
        }
        this.stack.pop();
        this.expect("]");
        return this.node("ListValue", start, { values });
      }
      if (t.kind === "Punct" && t.value === "{") {
        this.next();
        const frame = { kind: "object", seen: [] };
        this.stack.push(frame);
        const fields = [];
        for (;;) {
          this.hint("objectField");
          if (this.at("}")) break;
          fields.push(this.parseEntry(frame, "objfield", "objField", "ObjectField", isConst));
        }
        this.stack.pop();
        this.expect("}");
        return this.node("ObjectValue", start, { fields });
      }
      if (t.kind === "Int" || t.kind === "Float") {
        this.next();
        return this.node(t.kind === "Int" ? "IntValue" : "FloatValue", start, { token: t });
      }
      if (t.kind === "String" || t.kind === "BlockString") {
        this.next();
        return this.node("StringValue", start, { token: t });
      }
      if (t.kind === "Name") {
        this.next();
        if (t.value === "true" || t.value === "false") {
          t.role = "literal";
          return this.node("BooleanValue", start, { token: t });
        }
        if (t.value === "null") {
          t.role = "literal";
          return this.node("NullValue", start, { token: t });
        }
        t.role = "enum";
        return this.node("EnumValue", start, { name: t });
      }
      return this.fail(`Unexpected ${describe(t)}: expected a value.`);
    }

    parseFragment() {
      const start = this.peek().start;
      this.expectKeyword("fragment");
      this.hint("none");
      const name = this.expectName("def");
      if (name.value === "on") this.fail(`A fragment cannot be named "on".`, name);
      this.hint("on");
      this.expectKeyword("on");
      this.hint("type", { composite: true });
      const tstart = this.peek().start;
      const typeCondition = this.node("NamedType", tstart, { name: this.expectName("type") });
      const directives = this.parseDirectives("FRAGMENT_DEFINITION");
      this.stack.push({ kind: "fragment", type: typeCondition.name.value });
      this.hint("none");
      const selectionSet = this.parseSelectionSet();
      this.stack.pop();
      return this.node("FragmentDefinition", start, { name, typeCondition, directives, selectionSet });
    }
  }

  // Tokens not reached by the parser (after a syntax error) are coloured
  // from their neighbours, so that colours do not flicker while typing.
  function guessRoles(tokens) {
    const sig = tokens.filter((t) => t.kind !== "Comment");
    let parens = 0;
    for (let i = 0; i < sig.length; i++) {
      const t = sig[i];
      if (t.kind === "Punct") {
        if (t.value === "(") parens++;
        else if (t.value === ")") parens = Math.max(0, parens - 1);
        continue;
      }
      if (t.kind !== "Name" || t.role) continue;
      const prev = sig[i - 1];
      const next = sig[i + 1];
      const after = (v) => prev && prev.kind === "Punct" && prev.value === v;
      const afterWord = (v) => prev && prev.kind === "Name" && prev.value === v;
      if (after("$")) t.role = "variable";
      else if (after("@")) t.role = "directive";
      else if (afterWord("on") || (after(":") && parens > 0 && /^[A-Z]/.test(t.value) && sig[i - 3] && sig[i - 3].value === "$")) t.role = "type";
      else if (t.value === "on" && (after("...") || (sig[i - 2] && sig[i - 2].value === "fragment"))) t.role = "keyword";
      else if (afterWord("fragment") || after("...")) t.role = afterWord("fragment") ? "def" : "fragment";
      else if (["query", "mutation", "subscription", "fragment"].includes(t.value) && (!prev || (prev.kind === "Punct" && prev.value === "}"))) t.role = "keyword";
      else if (OPERATION_KEYWORDS.has(prev && prev.value) && prev.role === "keyword") t.role = "def";
      else if (next && next.kind === "Punct" && next.value === ":") t.role = parens > 0 ? "arg" : "alias";
      else if (parens > 0 && after(":")) t.role = ["true", "false", "null"].includes(t.value) ? "literal" : "enum";
      else t.role = "field";
    }
  }

  // Parses a whole document: `{ document, error, tokens }`, with `error` the
  // first syntax error (then `document` is null).
  function parse(source) {
    const tokens = tokenize(source);
    const parser = new Parser(tokens, false, source.length);
    let document = null;
    let error = null;
    try {
      document = parser.parseDocument();
    } catch (e) {
      if (!(e instanceof ParseError)) throw e;
      error = { start: e.start, end: e.end, message: e.message };
    }
    guessRoles(tokens);
    return { document, error, tokens };
  }

  // ---------------------------------------------------------------- schema

  // The introspection result made easy to walk.
  function makeSchema(result) {
    const types = new Map(result.types.map((t) => [t.name, t]));
    return {
      types,
      queryType: result.queryType && result.queryType.name,
      mutationType: result.mutationType && result.mutationType.name,
      subscriptionType: result.subscriptionType && result.subscriptionType.name,
      directives: result.directives || [],
      description: result.description,
    };
  }

  function typeString(ref) {
    if (!ref) return "?";
    if (ref.kind === "NON_NULL") return typeString(ref.ofType) + "!";
    if (ref.kind === "LIST") return "[" + typeString(ref.ofType) + "]";
    return ref.name;
  }

  function namedTypeName(ref) {
    while (ref && (ref.kind === "NON_NULL" || ref.kind === "LIST")) ref = ref.ofType;
    return ref ? ref.name : null;
  }

  function namedType(schema, ref) {
    const name = namedTypeName(ref);
    return name ? schema.types.get(name) || null : null;
  }

  function rootType(schema, operation) {
    const name = operation === "mutation" ? schema.mutationType : operation === "subscription" ? schema.subscriptionType : schema.queryType;
    return name ? schema.types.get(name) || null : null;
  }

  const isComposite = (t) => t && (t.kind === "OBJECT" || t.kind === "INTERFACE" || t.kind === "UNION");
  const isLeaf = (t) => t && (t.kind === "SCALAR" || t.kind === "ENUM");
  const isInput = (t) => t && (t.kind === "SCALAR" || t.kind === "ENUM" || t.kind === "INPUT_OBJECT");
  const nonNull = (name) => ({ kind: "NON_NULL", name: null, ofType: { kind: "SCALAR", name, ofType: null } });

  // The fields that can be selected on `type`, meta-fields included.
  function fieldsOf(schema, type) {
    if (!isComposite(type)) return [];
    const meta = [{ name: "__typename", description: "The name of the object's type.", args: [], type: nonNull("String"), meta: true }];
    if (type.name === schema.queryType) {
      meta.push(
        { name: "__schema", description: "The schema, for introspection.", args: [], type: { kind: "NON_NULL", ofType: { kind: "OBJECT", name: "__Schema" } }, meta: true },
        { name: "__type", description: "A type of the schema by name, for introspection.", args: [{ name: "name", type: nonNull("String"), defaultValue: null }], type: { kind: "OBJECT", name: "__Type" }, meta: true },
      );
    }
    return [...(type.fields || []), ...meta];
  }

  function fieldDef(schema, type, name) {
    return fieldsOf(schema, type).find((f) => f.name === name) || null;
  }

  function isRequired(arg) {
    return arg.type && arg.type.kind === "NON_NULL" && (arg.defaultValue === null || arg.defaultValue === undefined);
  }

  // An AST type (`[ID!]!`) as an introspection type reference.
  function refFromAst(node) {
    if (!node) return null;
    if (node.kind === "NonNullType") return { kind: "NON_NULL", ofType: refFromAst(node.type) };
    if (node.kind === "ListType") return { kind: "LIST", ofType: refFromAst(node.type) };
    return { kind: "NAMED", name: node.name.value };
  }

  // Edit distance, for "did you mean".
  function distance(a, b) {
    a = a.toLowerCase();
    b = b.toLowerCase();
    const row = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
      let prev = row[0];
      row[0] = i;
      for (let j = 1; j <= b.length; j++) {
        const keep = row[j];
        row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
        prev = keep;
      }
    }
    return row[b.length];
  }

  function didYouMean(word, options) {
    const limit = Math.floor(word.length * 0.4) + 1;
    const close = options
      .map((o) => [o, distance(word, o)])
      .filter(([o, d]) => d <= limit || o.toLowerCase().startsWith(word.toLowerCase()))
      .sort((x, y) => x[1] - y[1])
      .slice(0, 3)
      .map(([o]) => `"${o}"`);
    if (!close.length) return "";
    return ` Did you mean ${close.length > 1 ? close.slice(0, -1).join(", ") + " or " + close[close.length - 1] : close[0]}?`;
  }

  // ------------------------------------------------------------- validator

  // What the server would refuse for not matching the schema: unknown
  // fields, arguments, types, fragments, directives and enum values, values
  // of the wrong kind, missing required arguments and subselections,
  // variables not defined or never used. Each problem has offsets, a
  // message and a severity.
  function validate(document, schema) {
    const problems = [];
    const report = (node, message, severity) => problems.push({ start: node.start, end: Math.max(node.end, node.start + 1), message, severity: severity || "error" });
    const fragments = new Map();
    const operations = document.definitions.filter((d) => d.kind === "OperationDefinition");
    for (const d of document.definitions) {
      if (d.kind !== "FragmentDefinition") continue;
      if (fragments.has(d.name.value)) report(d.name, `There can be only one fragment named "${d.name.value}".`);
      else fragments.set(d.name.value, d);
    }
    const names = new Set();
    for (const op of operations) {
      if (!op.name) {
        if (operations.length > 1) report(op.keyword || op.selectionSet, "This anonymous operation must be the only defined operation.");
      } else if (names.has(op.name.value)) report(op.name, `There can be only one operation named "${op.name.value}".`);
      else names.add(op.name.value);
    }

    function checkType(node) {
      const name = node.kind === "NamedType" ? node : null;
      if (!name) return checkType(node.type);
      const type = schema.types.get(name.name.value);
      if (!type) report(name, `Unknown type "${name.name.value}".` + didYouMean(name.name.value, [...schema.types.keys()].filter((n) => isInput(schema.types.get(n)))));
      else if (!isInput(type)) report(name, `Variable type "${type.name}" is not an input type (scalar, enum or input object).`);
    }

    function checkValue(node, ref, ctx) {
      if (!node) return;
      if (node.kind === "Variable") {
        const name = node.name.value;
        ctx.used.add(name);
        if (ctx.variables && !ctx.variables.has(name)) {
          report(node, `Variable "$${name}" is not defined${ctx.operationName ? ` by operation "${ctx.operationName}"` : ""}.`);
        }
        return;
      }
      if (!ref) return;
      if (ref.kind === "NON_NULL") {
        if (node.kind === "NullValue") report(node, `Expected value of type "${typeString(ref)}", found null.`);
        else checkValue(node, ref.ofType, ctx);
        return;
      }
      if (node.kind === "NullValue") return;
      if (ref.kind === "LIST") {
        if (node.kind === "ListValue") node.values.forEach((v) => checkValue(v, ref.ofType, ctx));
        else checkValue(node, ref.ofType, ctx);
        return;
      }
      const type = schema.types.get(ref.name);
      if (!type) return;
      const shown = () => printValue(node);
      if (type.kind === "INPUT_OBJECT") {
        if (node.kind !== "ObjectValue") {
          report(node, `Expected value of type "${type.name}", found ${shown()}: write { field: value }.`);
          return;
        }
        const given = new Set();
        for (const f of node.fields) {
          const def = (type.inputFields || []).find((x) => x.name === f.name.value);
          if (given.has(f.name.value)) report(f.name, `There can be only one input field named "${f.name.value}".`);
          given.add(f.name.value);
          if (!def) {
            report(f.name, `Field "${f.name.value}" is not defined by type "${type.name}".` + didYouMean(f.name.value, (type.inputFields || []).map((x) => x.name)));
          } else checkValue(f.value, def.type, ctx);
        }
        for (const def of type.inputFields || []) {
          if (isRequired(def) && !given.has(def.name)) report(node, `Field "${type.name}.${def.name}" of required type "${typeString(def.type)}" was not provided.`);
        }
        return;
      }
      if (node.kind === "ListValue") {
        report(node, `Expected value of type "${type.name}", found a list.`);
        return;
      }
      if (node.kind === "ObjectValue") {
        report(node, `Expected value of type "${type.name}", found an object.`);
        return;
      }
      if (type.kind === "ENUM") {
        const values = (type.enumValues || []).map((v) => v.name);
        if (node.kind !== "EnumValue") report(node, `Enum "${type.name}" cannot represent ${shown()}: write one of its values without quotes.` + didYouMean(node.kind === "StringValue" ? node.token.value.replace(/"/g, "") : shown(), values));
        else if (!values.includes(node.name.value)) report(node, `Value "${node.name.value}" does not exist in "${type.name}" enum.` + didYouMean(node.name.value, values));
        return;
      }
      const fits = {
        Int: ["IntValue"],
        Float: ["IntValue", "FloatValue"],
        String: ["StringValue"],
        Boolean: ["BooleanValue"],
        ID: ["StringValue", "IntValue"],
      }[type.name];
      if (fits && !fits.includes(node.kind)) report(node, `${type.name} cannot represent ${shown()}.`);
      else if (type.name === "Int" && node.kind === "IntValue" && Math.abs(Number(node.token.value)) > 2147483647) {
        report(node, `Int cannot represent ${shown()}: it is not a 32-bit integer.`);
      } else if (!fits && node.kind === "EnumValue") report(node, `${type.name} cannot represent ${shown()}.`, "warning");
    }

    function checkArguments(args, defs, where, node, ctx) {
      const given = new Set();
      for (const arg of args) {
        const def = defs.find((d) => d.name === arg.name.value);
        if (given.has(arg.name.value)) report(arg.name, `There can be only one argument named "${arg.name.value}".`);
        given.add(arg.name.value);
        if (!def) {
          if (ctx.report) report(arg.name, `Unknown argument "${arg.name.value}" on ${where}.` + didYouMean(arg.name.value, defs.map((d) => d.name)));
          checkValue(arg.value, null, ctx);
        } else checkValue(arg.value, ctx.report ? def.type : null, ctx);
      }
      if (ctx.report) {
        for (const def of defs) {
          if (isRequired(def) && !given.has(def.name)) report(node, `${where[0].toUpperCase() + where.slice(1)} requires argument "${def.name}" of type "${typeString(def.type)}".`);
        }
      }
    }

    function checkDirectives(directives, location, ctx) {
      for (const d of directives) {
        const def = schema.directives.find((x) => x.name === d.name.value);
        if (!def) {
          if (ctx.report) report(d.name, `Unknown directive "@${d.name.value}".` + didYouMean(d.name.value, schema.directives.map((x) => x.name)));
          d.arguments.forEach((a) => checkValue(a.value, null, ctx));
          continue;
        }
        if (ctx.report && def.locations && !def.locations.includes(location)) report(d.name, `Directive "@${def.name}" may not be used on ${location}.`);
        checkArguments(d.arguments, def.args || [], `directive "@${def.name}"`, d, ctx);
      }
    }

    function checkSelectionSet(set, type, ctx) {
      for (const sel of set.selections) {
        if (sel.kind === "Field") {
          const def = type ? fieldDef(schema, type, sel.name.value) : null;
          if (type && !def && ctx.report) {
            const hint = type.kind === "UNION" ? ` Select the fields of "${type.name}" inside "... on Type { … }".` : didYouMean(sel.name.value, fieldsOf(schema, type).map((f) => f.name));
            report(sel.name, `Cannot query field "${sel.name.value}" on type "${type.name}".` + hint);
          }
          checkArguments(sel.arguments, def ? def.args || [] : [], `field "${type ? type.name : "?"}.${sel.name.value}"`, sel.name, def ? ctx : { ...ctx, report: false });
          checkDirectives(sel.directives, "FIELD", ctx);
          const fieldType = def ? namedType(schema, def.type) : null;
          if (def && ctx.report) {
            if (isLeaf(fieldType) && sel.selectionSet) {
              report(sel.selectionSet, `Field "${sel.name.value}" must not have a selection since type "${typeString(def.type)}" has no subfields.`);
            } else if (isComposite(fieldType) && !sel.selectionSet) {
              report(sel.name, `Field "${sel.name.value}" of type "${typeString(def.type)}" must have a selection of subfields, as in "${sel.name.value} { … }".`);
            }
          }
          if (sel.selectionSet) checkSelectionSet(sel.selectionSet, def ? fieldType : null, def ? ctx : { ...ctx, report: false });
        } else if (sel.kind === "InlineFragment") {
          let inner = type;
          if (sel.typeCondition) {
            inner = schema.types.get(sel.typeCondition.name.value) || null;
            if (ctx.report) {
              if (!inner) report(sel.typeCondition, `Unknown type "${sel.typeCondition.name.value}".` + didYouMean(sel.typeCondition.name.value, [...schema.types.keys()]));
              else if (!isComposite(inner)) report(sel.typeCondition, `Fragment cannot condition on non composite type "${inner.name}".`);
            }
          }
          checkDirectives(sel.directives, "INLINE_FRAGMENT", ctx);
          checkSelectionSet(sel.selectionSet, inner, inner ? ctx : { ...ctx, report: false });
        } else if (sel.kind === "FragmentSpread") {
          checkDirectives(sel.directives, "FRAGMENT_SPREAD", ctx);
          const fragment = fragments.get(sel.name.value);
          if (!fragment) {
            if (ctx.report) report(sel.name, `Unknown fragment "${sel.name.value}".` + didYouMean(sel.name.value, [...fragments.keys()]));
          } else if (ctx.variables && !ctx.spread.has(fragment.name.value)) {
            // Only the variables the fragment uses, for this operation:
            // the fragment's own problems are told at its definition.
            ctx.spread.add(fragment.name.value);
            const t = schema.types.get(fragment.typeCondition.name.value) || null;
            checkSelectionSet(fragment.selectionSet, t, { ...ctx, report: false });
          }
        }
      }
    }

    for (const op of operations) {
      const root = rootType(schema, op.operation);
      const at = op.keyword || op.selectionSet;
      if (!root) {
        report(at, `This server has no ${op.operation}s.`);
        continue;
      }
      const variables = new Map();
      for (const v of op.variables) {
        if (variables.has(v.name.value)) report({ start: v.start, end: v.name.end }, `There can be only one variable named "$${v.name.value}".`);
        variables.set(v.name.value, v);
        checkType(v.type);
      }
      const ctx = { report: true, variables, used: new Set(), spread: new Set(), operationName: op.name && op.name.value };
      for (const v of op.variables) {
        if (v.defaultValue) checkValue(v.defaultValue, refFromAstIn(v.type), { ...ctx, variables: null });
        checkDirectives(v.directives, "VARIABLE_DEFINITION", ctx);
      }
      checkDirectives(op.directives, op.operation.toUpperCase(), ctx);
      if (op.operation === "subscription") {
        const top = op.selectionSet.selections.filter((s) => s.kind === "Field" && s.name.value !== "__typename");
        if (op.selectionSet.selections.length !== 1 || top.length !== 1) report(at, `A subscription selects exactly one top-level field.`);
      }
      checkSelectionSet(op.selectionSet, root, ctx);
      for (const v of op.variables) {
        if (!ctx.used.has(v.name.value)) report({ start: v.start, end: v.name.end }, `Variable "$${v.name.value}" is never used${ctx.operationName ? ` in operation "${ctx.operationName}"` : ""}.`, "warning");
      }
    }
    const spreadAnywhere = new Set();
    (function collect(node) {
      if (!node || typeof node !== "object") return;
      if (node.kind === "FragmentSpread") spreadAnywhere.add(node.name.value);
      for (const value of Object.values(node)) {
        if (Array.isArray(value)) value.forEach(collect);
        else if (value && typeof value === "object" && value.kind) collect(value);
      }
    })(document);
    for (const fragment of fragments.values()) {
      const type = schema.types.get(fragment.typeCondition.name.value) || null;
      if (!type) report(fragment.typeCondition, `Unknown type "${fragment.typeCondition.name.value}".` + didYouMean(fragment.typeCondition.name.value, [...schema.types.keys()]));
      else if (!isComposite(type)) report(fragment.typeCondition, `Fragment cannot condition on non composite type "${type.name}".`);
      checkDirectives(fragment.directives, "FRAGMENT_DEFINITION", { report: true, variables: null, used: new Set(), spread: new Set() });
      checkSelectionSet(fragment.selectionSet, type, { report: Boolean(type), variables: null, used: new Set(), spread: new Set() });
      if (!spreadAnywhere.has(fragment.name.value)) report(fragment.name, `Fragment "${fragment.name.value}" is never used.`, "warning");
    }
    return problems.sort((a, b) => a.start - b.start);

    function refFromAstIn(node) {
      const ref = refFromAst(node);
      (function fill(r) {
        if (!r) return;
        if (r.kind === "NAMED") {
          const t = schema.types.get(r.name);
          r.kind = t ? t.kind : "SCALAR";
        } else fill(r.ofType);
      })(ref);
      return ref;
    }
  }

  // --------------------------------------------------------------- printer

  function printValue(node) {
    switch (node.kind) {
      case "Variable": return "$" + node.name.value;
      case "IntValue": case "FloatValue": case "StringValue": case "BooleanValue": case "NullValue": return node.token.value;
      case "EnumValue": return node.name.value;
      case "ListValue": return "[" + node.values.map(printValue).join(", ") + "]";
      case "ObjectValue": return node.fields.length ? "{ " + node.fields.map((f) => `${f.name.value}: ${printValue(f.value)}`).join(", ") + " }" : "{}";
      default: return "?";
    }
  }

  function printType(node) {
    if (node.kind === "NonNullType") return printType(node.type) + "!";
    if (node.kind === "ListType") return "[" + printType(node.type) + "]";
    return node.name.value;
  }

  const MAX_LINE = 80;

  // The document laid out again from its tree: two spaces per level, one
  // selection a line, arguments on one line unless it gets too long.
  // Comments are kept: each is written before the next definition or
  // selection that follows it, and one that ended a line stays at the end
  // of the line it followed.
  function print(document, tokens, source) {
    const index = lineIndex(source);
    const comments = [];
    let previous = null;
    for (const t of tokens) {
      if (t.kind === "Comment") {
        comments.push({ text: t.value.replace(/\s+$/, ""), start: t.start, trailing: Boolean(previous) && index.at(previous.end - 1).line === index.at(t.start).line });
      } else previous = t;
    }
    let next = 0;
    const lines = [];
    let depth = 0;
    const emit = (text) => lines.push("  ".repeat(depth) + text);
    const flush = (offset, onlyTrailing) => {
      while (next < comments.length && comments[next].start < offset) {
        const c = comments[next];
        const last = lines.length ? lines[lines.length - 1] : "";
        if (c.trailing && last.trim() !== "") lines[lines.length - 1] = last + " " + c.text;
        else if (onlyTrailing) return;
        else emit(c.text);
        next++;
      }
    };
    const directives = (list) => list.map((d) => " @" + d.name.value + args(d.arguments)).join("");
    const args = (list) => (list.length ? "(" + list.map((a) => `${a.name.value}: ${printValue(a.value)}`).join(", ") + ")" : "");

    // `head` then the arguments, on one line or one argument a line.
    function line(head, argList, tail) {
      const flat = head + args(argList) + tail;
      if ("  ".repeat(depth).length + flat.length <= MAX_LINE || argList.length < 2) {
        emit(flat);
        return;
      }
      emit(head + "(");
      depth++;
      for (const a of argList) emit(`${a.name.value}: ${printValue(a.value)}`);
      depth--;
      emit(")" + tail);
    }

    function selectionSet(set) {
      depth++;
      for (const sel of set.selections) {
        flush(sel.start);
        selection(sel);
      }
      flush(set.end - 1);
      depth--;
      emit("}");
    }

    function selection(sel) {
      if (sel.kind === "Field") {
        const head = (sel.alias ? sel.alias.value + ": " : "") + sel.name.value;
        const tail = directives(sel.directives) + (sel.selectionSet ? " {" : "");
        line(head, sel.arguments, tail);
        if (sel.selectionSet) selectionSet(sel.selectionSet);
      } else if (sel.kind === "FragmentSpread") {
        emit("..." + sel.name.value + directives(sel.directives));
      } else {
        emit("..." + (sel.typeCondition ? " on " + sel.typeCondition.name.value : "") + directives(sel.directives) + " {");
        selectionSet(sel.selectionSet);
      }
    }

    document.definitions.forEach((def, i) => {
      flush(def.start, true);
      if (i > 0) lines.push("");
      flush(def.start);
      if (def.kind === "OperationDefinition") {
        if (!def.keyword && !def.variables.length && !def.directives.length) emit("{");
        else {
          const head = def.operation + (def.name ? " " + def.name.value : "");
          const vars = def.variables.map((v) => `$${v.name.value}: ${printType(v.type)}${v.defaultValue ? " = " + printValue(v.defaultValue) : ""}${directives(v.directives)}`);
          const tail = directives(def.directives) + " {";
          const flat = head + (vars.length ? "(" + vars.join(", ") + ")" : "") + tail;
          if (flat.length <= MAX_LINE || vars.length < 2) emit(flat);
          else {
            emit(head + "(");
            depth++;
            vars.forEach(emit);
            depth--;
            emit(")" + tail);
          }
        }
      } else {
        emit(`fragment ${def.name.value} on ${def.typeCondition.name.value}${directives(def.directives)} {`);
      }
      selectionSet(def.selectionSet);
    });
    flush(Infinity);
    return lines.join("\n") + "\n";
  }

  // Prettify: `{ text }`, or `{ error }` if the document does not parse or
  // printing would change its meaning (checked by comparing the tokens).
  function prettify(source) {
    const parsed = parse(source);
    if (parsed.error) {
      const at = lineIndex(source).at(parsed.error.start);
      return { error: `Cannot prettify: syntax error at ${at.line}:${at.column}: ${parsed.error.message}` };
    }
    const text = print(parsed.document, parsed.tokens, source);
    const sig = (tokens) => tokens.map((t) => (t.kind === "Comment" ? t.value.trim() : t.value)).join("\u0000");
    if (sig(tokenize(text)) !== sig(parsed.tokens)) return { error: "Prettify would change the document; it was left as it is." };
    return { text };
  }

  // ------------------------------------------------------------ completion

  // The scope at the end of a completion path: the composite type whose
  // fields can be selected, the arguments being written and the input type
  // of the value being written.
  function resolveScope(schema, stack) {
    let type = null;
    let args = null;
    let argsFrame = null;
    let input = null;
    let object = null;
    for (const frame of stack) {
      switch (frame.kind) {
        case "operation": type = rootType(schema, frame.operation); break;
        case "fragment": type = schema.types.get(frame.type) || null; break;
        case "inline": if (frame.type) type = schema.types.get(frame.type) || null; break;
        case "field": {
          const f = fieldDef(schema, type, frame.name);
          type = f ? namedType(schema, f.type) : null;
          break;
        }
        case "args": {
          argsFrame = frame;
          if (frame.owner === "field") {
            const f = fieldDef(schema, type, frame.name);
            args = f ? f.args || [] : null;
          } else {
            const d = schema.directives.find((x) => x.name === frame.name);
            args = d ? d.args || [] : null;
          }
          break;
        }
        case "arg": {
          const a = args && args.find((x) => x.name === frame.name);
          input = a ? a.type : null;
          break;
        }
        case "varDefault": input = toSchemaRef(schema, refFromAst(frame.type)); break;
        case "list":
          if (input && input.kind === "NON_NULL") input = input.ofType;
          if (input && input.kind === "LIST") input = input.ofType;
          break;
        case "object": object = frame; break;
        case "objField": {
          const t = namedType(schema, input);
          const f = t && (t.inputFields || []).find((x) => x.name === frame.name);
          input = f ? f.type : null;
          break;
        }
        default: break;
      }
    }
    return { type, args, argsFrame, input, object };
  }

  function toSchemaRef(schema, ref) {
    if (!ref) return null;
    if (ref.kind === "NAMED") {
      const t = schema.types.get(ref.name);
      return { kind: t ? t.kind : "SCALAR", name: ref.name, ofType: null };
    }
    return { kind: ref.kind, ofType: toSchemaRef(schema, ref.ofType) };
  }

  // Fragment definitions anywhere in the text, even if it does not parse.
  function fragmentsIn(tokens) {
    const sig = tokens.filter((t) => t.kind !== "Comment");
    const found = [];
    for (let i = 0; i + 3 < sig.length; i++) {
      if (sig[i].kind === "Name" && sig[i].value === "fragment" && sig[i + 1].kind === "Name" && sig[i + 2].value === "on" && sig[i + 3].kind === "Name") {
        found.push({ name: sig[i + 1].value, type: sig[i + 3].value });
      }
    }
    return found;
  }

  function kindLabel(t) {
    return t ? t.kind.toLowerCase().replace("_", " ") : "";
  }

  // The candidates for what the grammar expects, from the schema.
  function candidates(schema, expectation, tokens) {
    const scope = resolveScope(schema, expectation.stack);
    const items = [];
    const add = (item) => items.push(item);
    switch (expectation.kind) {
      case "definition":
        add({ label: "query", kind: "keyword", detail: "operation", doc: "Reads from the graph." });
        if (schema.mutationType) add({ label: "mutation", kind: "keyword", detail: "operation", doc: "Changes the graph: needs a token." });
        if (schema.subscriptionType) add({ label: "subscription", kind: "keyword", detail: "operation", doc: "Follows changes live, over a WebSocket." });
        add({ label: "fragment", kind: "keyword", detail: "definition", doc: "A named selection to reuse: fragment Name on Type { … }" });
        break;
      case "selection": {
        for (const f of fieldsOf(schema, scope.type)) {
          const required = (f.args || []).some(isRequired);
          add({
            label: f.name,
            kind: "field",
            detail: typeString(f.type),
            doc: f.description || "",
            deprecated: Boolean(f.isDeprecated),
            deprecationReason: f.deprecationReason,
            insert: required ? f.name + "()" : f.name,
            caret: required ? f.name.length + 1 : undefined,
            reopen: required,
            meta: f.meta,
          });
        }
        break;
      }
      case "argument": {
        const seen = new Set(scope.argsFrame ? scope.argsFrame.seen : []);
        for (const a of scope.args || []) {
          if (seen.has(a.name)) continue;
          add({ label: a.name, kind: "argument", detail: typeString(a.type), doc: a.description || "", insert: a.name + ": ", reopen: true, required: isRequired(a) });
        }
        items.sort((x, y) => Number(Boolean(y.required)) - Number(Boolean(x.required)));
        break;
      }
      case "objectField": {
        const t = namedType(schema, scope.input);
        const seen = new Set(scope.object ? scope.object.seen : []);
        for (const f of (t && t.inputFields) || []) {
          if (seen.has(f.name)) continue;
          add({ label: f.name, kind: "input field", detail: typeString(f.type), doc: f.description || "", insert: f.name + ": ", reopen: true, required: isRequired(f) });
        }
        items.sort((x, y) => Number(Boolean(y.required)) - Number(Boolean(x.required)));
        break;
      }
      case "value": {
        const t = namedType(schema, scope.input);
        if (t && t.kind === "ENUM") {
          for (const v of t.enumValues || []) add({ label: v.name, kind: "enum value", detail: t.name, doc: v.description || "", deprecated: Boolean(v.isDeprecated) });
        }
        if (t && t.name === "Boolean") {
          add({ label: "true", kind: "literal", detail: "Boolean" });
          add({ label: "false", kind: "literal", detail: "Boolean" });
        }
        if (t && t.kind === "INPUT_OBJECT") add({ label: "{ }", kind: "object", detail: t.name, doc: t.description || "", insert: "{ ", reopen: true });
        const op = expectation.operation;
        const inDefault = expectation.stack.some((f) => f.kind === "varDefault");
        if (op && !inDefault) {
          for (const v of op.variables) add({ label: "$" + v.name.value, kind: "variable", detail: printType(v.type), doc: "A variable of this operation.", filterText: v.name.value });
        }
        if (scope.input && scope.input.kind !== "NON_NULL") add({ label: "null", kind: "literal", detail: "no value" });
        break;
      }
      case "variable": {
        const op = expectation.operation;
        for (const v of op ? op.variables : []) add({ label: v.name.value, kind: "variable", detail: printType(v.type), doc: "A variable of this operation." });
        break;
      }
      case "type": {
        const want = expectation.info.input ? isInput : isComposite;
        const preferred = new Set();
        if (expectation.info.composite && scope.type) {
          preferred.add(scope.type.name);
          for (const p of scope.type.possibleTypes || []) preferred.add(p.name);
        }
        for (const t of schema.types.values()) {
          if (!want(t) || t.name.startsWith("__")) continue;
          add({ label: t.name, kind: "type", detail: kindLabel(t), doc: t.description || "", rank: preferred.has(t.name) ? 0 : 1 });
        }
        items.sort((x, y) => x.rank - y.rank || x.label.localeCompare(y.label));
        break;
      }
      case "spread": {
        add({ label: "on", kind: "keyword", detail: "inline fragment", doc: "... on Type { … } selects fields of one of the possible types.", insert: "on ", reopen: true });
        for (const f of fragmentsIn(tokens)) add({ label: f.name, kind: "fragment", detail: "on " + f.type });
        break;
      }
      case "on":
        add({ label: "on", kind: "keyword", detail: "type condition", insert: "on ", reopen: true });
        break;
      case "directive":
        for (const d of schema.directives) {
          if (d.locations && expectation.info.location && !d.locations.includes(expectation.info.location)) continue;
          const required = (d.args || []).some(isRequired);
          add({ label: d.name, kind: "directive", detail: "@" + d.name, doc: d.description || "", insert: required ? d.name + "()" : d.name, caret: required ? d.name.length + 1 : undefined, reopen: required });
        }
        break;
      default:
        break;
    }
    return items;
  }

  // How well `label` matches what was typed: lower is better, -1 is none.
  function matchScore(text, typed) {
    if (!typed) return 0;
    if (text === typed) return -0.5;
    if (text.startsWith(typed)) return 0;
    const lower = text.toLowerCase();
    const want = typed.toLowerCase();
    if (lower.startsWith(want)) return 1;
    if (lower.includes(want)) return 2;
    // Letters in order, from the first one: "ptc" finds "plan totalCount".
    if (lower[0] !== want[0]) return -1;
    let i = 0;
    for (const c of lower) if (c === want[i]) i++;
    return i === want.length ? 3 : -1;
  }

  // The completions at `offset` of `source`: `{ from, to, typed, items }`
  // (replace from..to with an item's insert), or null where nothing is
  // expected (inside strings and comments, after a syntax error).
  function complete(source, offset, schema) {
    if (!schema) return null;
    const tokens = tokenize(source);
    let word = null;
    const before = [];
    for (const t of tokens) {
      if (t.start >= offset) break;
      if (t.end < offset || (t.end === offset && t.kind !== "Name")) {
        if (t.end === offset && (t.kind === "Comment" || t.error)) return null;
        before.push(t);
        continue;
      }
      // The cursor is inside t, or at the end of a name.
      if (t.kind === "Name") word = t;
      else if (t.kind === "Punct") before.push(t);
      else return null;
      break;
    }
    const from = word ? word.start : offset;
    const to = word ? word.end : offset;
    const typed = word ? source.slice(word.start, offset) : "";
    const parser = new Parser(before, true, from);
    let expectation;
    try {
      parser.parseDocument();
      return null;
    } catch (e) {
      if (!(e instanceof Expectation)) return null;
      expectation = e;
    }
    const scored = [];
    candidates(schema, expectation, tokens).forEach((item, order) => {
      const score = matchScore(item.filterText || item.label, typed);
      if (score !== -1) scored.push({ item, score, order });
    });
    scored.sort((a, b) => a.score - b.score || Number(Boolean(a.item.deprecated)) - Number(Boolean(b.item.deprecated)) || Number(Boolean(a.item.meta)) - Number(Boolean(b.item.meta)) || a.order - b.order);
    return { from, to, typed, kind: expectation.kind, items: scored.map((s) => s.item) };
  }

  // The operation to run: the one holding the cursor, else the first.
  function operationAt(document, offset) {
    const ops = document ? document.definitions.filter((d) => d.kind === "OperationDefinition") : [];
    if (ops.length <= 1) return ops[0] || null;
    return ops.find((op) => offset >= op.start && offset <= op.end) || ops[0];
  }

  return { tokenize, lineIndex, parse, validate, prettify, print, complete, makeSchema, typeString, operationAt, printType, namedType };
})();

if (typeof module === "object" && module.exports) module.exports = GraphQL;

// ================================================================== page

if (typeof document !== "undefined") (function () {
  const ENDPOINT = "/graphql";
  const STORAGE = "cruscotto.ide.";
  const HISTORY_KEY = STORAGE + "history";
  const HISTORY_MAX = 50;
  const EVENTS_KEPT = 50;
  const CHECK_AFTER_MS = 250;

  // Shown on the first visit: a real, nested question to the graph.
  const EXAMPLE = [
    "# Welcome to cruscotto. Write a query, then press ▶ Run or Ctrl+Enter.",
    "# Ctrl+Space suggests fields, arguments and values from the schema;",
    "# the Docs pane on the right describes every type and field;",
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

  // Enough of the schema for the explorer, the completion and the checks:
  // every type with its fields, arguments, input fields, enum values and
  // their descriptions, and the directives.
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
    directives { name description locations args { name description defaultValue type { ...TypeRef } } }
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

  let schema = null; // { types, roots, gql } once introspected

  function escapeHtml(text) {
    return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  }

  function debounce(fn, ms) {
    let timer = 0;
    const call = () => {
      clearTimeout(timer);
      timer = setTimeout(fn, ms);
    };
    call.now = () => {
      clearTimeout(timer);
      fn();
    };
    return call;
  }

  // ---------------------------------------------------------------- editor

  // Text with spans for colours and marks for problems. `spans` are sorted
  // and do not overlap; marks may overlap anything.
  function paint(text, spans, marks) {
    const cuts = new Set([0, text.length]);
    for (const s of spans) cuts.add(s.start).add(s.end);
    for (const m of marks) cuts.add(Math.min(m.start, text.length)).add(Math.min(m.end, text.length));
    const points = [...cuts].sort((a, b) => a - b);
    let html = "";
    let si = 0;
    for (let k = 0; k + 1 < points.length; k++) {
      const a = points[k];
      const b = points[k + 1];
      while (si < spans.length && spans[si].end <= a) si++;
      const span = spans[si] && spans[si].start <= a ? spans[si] : null;
      let mark = null;
      for (const m of marks) {
        if (m.start <= a && b <= m.end && (!mark || m.severity === "error")) mark = m;
      }
      const cls = [span && span.cls, mark && (mark.severity === "warning" ? "warn" : "err")].filter(Boolean).join(" ");
      const chunk = escapeHtml(text.slice(a, b));
      html += cls ? `<span class="${cls}">${chunk}</span>` : chunk;
    }
    // A problem at the very end (an unclosed brace): a marked space.
    if (marks.some((m) => m.start >= text.length)) html += '<span class="err eof"> </span>';
    // A last empty line still needs its height.
    return html + " ";
  }

  function highlightGraphQL(text, marks) {
    const { tokens } = GraphQL.parse(text);
    const spans = tokens.map((t) => ({
      start: t.start,
      end: t.end,
      cls: t.error ? "t-invalid" : t.kind === "Name" ? "t-" + (t.role || "field") : t.kind === "Punct" ? "t-punct" : t.kind === "Comment" ? "t-comment" : t.kind === "Int" || t.kind === "Float" ? "t-number" : "t-string",
    }));
    return paint(text, spans, marks);
  }

  const JSON_TOKEN = /"(?:[^"\\\n]|\\.)*"?|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|\b(?:true|false|null)\b|[{}[\]:,]/g;
  function highlightJson(text, marks) {
    const spans = [];
    for (const m of text.matchAll(JSON_TOKEN)) {
      const v = m[0];
      const start = m.index;
      let cls = "j-punct";
      if (v[0] === '"') cls = /^\s*:/.test(text.slice(start + v.length)) ? "j-key" : "j-string";
      else if (v === "true" || v === "false" || v === "null") cls = "j-literal";
      else if (v[0] === "-" || (v[0] >= "0" && v[0] <= "9")) cls = "j-number";
      spans.push({ start, end: start + v.length, cls });
    }
    return paint(text, spans, marks);
  }

  // A textarea with a coloured copy of its text under it: the textarea
  // does the editing (selection, undo, input methods, accessibility) with
  // transparent text, and the copy, kept scrolled with it, shows colours
  // and problems.
  class Editor {
    constructor(textarea, highlight) {
      this.ta = textarea;
      this.area = textarea.parentElement;
      this.code = this.area.querySelector("pre.highlight code");
      this.gutter = this.area.parentElement.querySelector(".gutter-lines");
      this.highlight = highlight;
      this.marks = [];
      this.programmatic = false;
      this.gutterKey = "";
      textarea.addEventListener("input", () => {
        this.marks = [];
        this.render();
      });
      textarea.addEventListener("change", () => this.render());
      textarea.addEventListener("scroll", () => this.sync());
    }

    get value() {
      return this.ta.value;
    }

    render() {
      const text = this.ta.value;
      this.code.innerHTML = this.highlight(text, this.marks);
      if (this.gutter) {
        const count = text.split("\n").length;
        const index = GraphQL.lineIndex(text);
        const bad = new Set(this.marks.map((m) => index.at(Math.min(m.start, text.length)).line));
        const key = count + ":" + [...bad].join(",");
        if (key !== this.gutterKey) {
          this.gutterKey = key;
          let html = "";
          for (let i = 1; i <= count; i++) html += bad.has(i) ? `<div class="bad">${i}</div>` : `<div>${i}</div>`;
          this.gutter.innerHTML = html;
        }
      }
      this.sync();
    }

    sync() {
      const x = this.ta.scrollLeft;
      const y = this.ta.scrollTop;
      this.code.style.transform = `translate(${-x}px, ${-y}px)`;
      if (this.gutter) this.gutter.style.transform = `translateY(${-y}px)`;
    }

    setMarks(marks) {
      this.marks = marks;
      this.render();
    }

    // Replaces from..to with `text` as typing would, so that Undo undoes it.
    replace(from, to, text, caret) {
      const ta = this.ta;
      const expected = ta.value.slice(0, from) + text + ta.value.slice(to);
      ta.focus();
      ta.setSelectionRange(from, to);
      this.programmatic = true;
      try {
        let done = false;
        try {
          done = document.execCommand(text ? "insertText" : "delete", false, text);
        } catch (e) {
          done = false;
        }
        if (!done || ta.value !== expected) {
          ta.value = expected;
          ta.dispatchEvent(new Event("input"));
        }
      } finally {
        this.programmatic = false;
      }
      const at = caret === undefined ? from + text.length : caret;
      ta.setSelectionRange(at, at);
    }

    setValue(text) {
      if (this.ta.value === text) return;
      if (this.area.offsetParent === null) {
        // Hidden: execCommand needs a focused, visible editor.
        this.ta.value = text;
        this.ta.dispatchEvent(new Event("input"));
      } else this.replace(0, this.ta.value.length, text, 0);
    }
  }

  const queryEditor = new Editor(queryBox, highlightGraphQL);
  const variablesEditor = new Editor(variablesBox, highlightJson);
  const headersEditor = new Editor(headersBox, highlightJson);
  const editors = [[queryEditor, "query"], [variablesEditor, "variables"], [headersEditor, "headers"]];

  for (const [editor, key] of editors) {
    const saved = localStorage.getItem(STORAGE + key);
    editor.ta.value = saved !== null ? saved : key === "query" ? EXAMPLE : "";
    editor.ta.addEventListener("input", () => localStorage.setItem(STORAGE + key, editor.ta.value));
    editor.render();
  }

  // The width of a character and the height of a line of the editors.
  const metrics = { char: 7.8, line: 19.5 };
  function measure() {
    const probe = document.createElement("span");
    probe.textContent = "0".repeat(100);
    queryEditor.code.append(probe);
    const width = probe.getBoundingClientRect().width / 100;
    probe.remove();
    if (width > 0) metrics.char = width;
    metrics.line = parseFloat(getComputedStyle(queryBox).lineHeight) || metrics.line;
  }

  // Where offset `offset` of the query editor is on the screen.
  function caretPoint(offset) {
    const text = queryBox.value.slice(0, offset);
    const lineStart = text.lastIndexOf("\n") + 1;
    let line = 0;
    for (let i = 0; i < lineStart; i++) if (text[i] === "\n") line++;
    let column = 0;
    for (const c of text.slice(lineStart)) column += c === "\t" ? 2 - (column % 2) : 1;
    const style = getComputedStyle(queryBox);
    const box = queryBox.getBoundingClientRect();
    return {
      x: box.left + parseFloat(style.paddingLeft) + column * metrics.char - queryBox.scrollLeft,
      y: box.top + parseFloat(style.paddingTop) + line * metrics.line - queryBox.scrollTop,
    };
  }

  // ------------------------------------------------------------ completion

  const KIND_BADGE = { field: "F", argument: "A", "input field": "I", "enum value": "E", variable: "$", type: "T", keyword: "K", fragment: "…", directive: "@", literal: "L", object: "{" };

  const completion = {
    box: $("completion"),
    list: $("completions"),
    doc: $("completion-doc"),
    announce: $("announce"),
    open: false,
    result: null,
    active: 0,

    update(explicit) {
      if (queryBox.selectionStart !== queryBox.selectionEnd || !schema) return this.close();
      const r = GraphQL.complete(queryBox.value, queryBox.selectionStart, schema.gql);
      let items = r ? r.items : [];
      if (r && !explicit) {
        // Typed in full, or only "null" to offer: nothing worth a popup.
        if (items.length === 1 && items[0].label === r.typed) items = [];
        if (!r.typed && items.every((i) => i.label === "null")) items = [];
      }
      if (!items.length) {
        if (explicit) this.say(r ? "No suggestions here." : "Nothing to suggest here.");
        return this.close();
      }
      const previous = this.open && this.result && this.result.items[this.active];
      this.result = { ...r, items: items.slice(0, 200) };
      const keep = previous ? this.result.items.findIndex((i) => i.label === previous.label) : -1;
      this.active = keep >= 0 ? keep : 0;
      this.render();
      this.box.hidden = false;
      this.open = true;
      this.place();
      this.select(this.active);
      this.say(`${this.result.items.length} suggestion${this.result.items.length === 1 ? "" : "s"}.`);
    },

    say(text) {
      this.announce.textContent = text;
    },

    render() {
      const { items, typed } = this.result;
      this.list.replaceChildren(...items.map((item, i) => {
        const li = document.createElement("li");
        li.id = "completion-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.dataset.label = item.label;
        if (item.deprecated) li.classList.add("deprecated");
        const badge = document.createElement("span");
        badge.className = "c-kind c-" + item.kind.replace(" ", "-");
        badge.textContent = KIND_BADGE[item.kind] || "·";
        badge.title = item.kind;
        const label = document.createElement("span");
        label.className = "c-label";
        const n = typed && item.label.toLowerCase().startsWith(typed.toLowerCase()) ? typed.length : 0;
        if (n) {
          const b = document.createElement("b");
          b.textContent = item.label.slice(0, n);
          label.append(b, item.label.slice(n));
        } else label.textContent = item.label;
        const detail = document.createElement("span");
        detail.className = "c-detail";
        detail.textContent = item.detail || "";
        li.append(badge, label, detail);
        // Clicking must not take the focus from the editor.
        li.addEventListener("mousedown", (e) => e.preventDefault());
        li.addEventListener("click", () => this.accept(i));
        return li;
      }));
    },

    place() {
      const point = caretPoint(this.result.from);
      const box = this.box;
      box.style.left = "0px";
      box.style.top = "0px";
      const width = box.offsetWidth;
      const height = box.offsetHeight;
      let left = Math.min(point.x - 28, window.innerWidth - width - 8);
      let top = point.y + metrics.line + 2;
      if (top + height > window.innerHeight - 8) top = Math.max(8, point.y - height - 2);
      box.style.left = Math.max(8, left) + "px";
      box.style.top = top + "px";
    },

    select(i) {
      const items = this.result.items;
      this.active = (i + items.length) % items.length;
      for (const li of this.list.children) li.setAttribute("aria-selected", "false");
      const li = this.list.children[this.active];
      li.setAttribute("aria-selected", "true");
      li.scrollIntoView({ block: "nearest" });
      queryBox.setAttribute("aria-activedescendant", li.id);
      const item = items[this.active];
      const parts = [];
      if (item.deprecated) parts.push(`Deprecated${item.deprecationReason ? ": " + item.deprecationReason : ""}.`);
      if (item.doc) parts.push(item.doc);
      this.doc.textContent = parts.join("\n");
      this.doc.hidden = parts.length === 0;
    },

    move(delta) {
      const n = this.result.items.length;
      let i = this.active + delta;
      if (Math.abs(delta) > 1) i = Math.max(0, Math.min(n - 1, i));
      this.select(i);
    },

    accept(i) {
      const index = i === undefined ? this.active : i;
      const { from, to, items } = this.result;
      const item = items[index];
      const text = item.insert !== undefined ? item.insert : item.label;
      // Arguments typed already after the name stay as they are.
      const rest = queryBox.value.slice(to);
      let insert = text;
      let caret = item.caret !== undefined ? from + item.caret : undefined;
      if (text.endsWith("()") && /^\s*\(/.test(rest)) {
        insert = text.slice(0, -2);
        caret = undefined;
      }
      if (text.endsWith(": ") && /^\s*:/.test(rest)) insert = text.slice(0, -2);
      this.close();
      queryEditor.replace(from, to, insert, caret);
      checkSoon();
      this.say(`Inserted ${item.label}.`);
      if (item.reopen && insert === text) this.update(false);
    },

    close() {
      if (!this.open) return;
      this.open = false;
      this.box.hidden = true;
      this.result = null;
      queryBox.removeAttribute("aria-activedescendant");
    },
  };

  queryBox.addEventListener("blur", () => completion.close());
  queryBox.addEventListener("click", () => completion.close());
  // Typing can scroll the editor: the popup follows the caret.
  queryBox.addEventListener("scroll", () => {
    if (completion.open) completion.place();
  });
  window.addEventListener("resize", () => {
    completion.close();
    measure();
  });

  // --------------------------------------------------------------- keys

  let tabLeaves = false;

  function lineBefore(box) {
    const v = box.value;
    const s = box.selectionStart;
    const start = v.lastIndexOf("\n", s - 1) + 1;
    return { start, text: v.slice(start, s) };
  }

  for (const [editor] of editors) {
    const box = editor.ta;
    box.addEventListener("keydown", (event) => {
      if (event.isComposing) return;
      const isQuery = editor === queryEditor;
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        completion.close();
        run();
        return;
      }
      if (isQuery && event.ctrlKey && (event.key === " " || event.code === "Space")) {
        event.preventDefault();
        completion.update(true);
        return;
      }
      if (event.ctrlKey && event.shiftKey && (event.key === "P" || event.key === "p")) {
        event.preventDefault();
        prettify();
        return;
      }
      if (isQuery && completion.open) {
        const exact = completion.result.items[completion.active].label === completion.result.typed;
        const keys = {
          ArrowDown: () => completion.move(1),
          ArrowUp: () => completion.move(-1),
          PageDown: () => completion.move(8),
          PageUp: () => completion.move(-8),
          Escape: () => completion.close(),
          Tab: () => completion.accept(),
          Enter: () => completion.accept(),
        };
        const action = keys[event.key];
        if (action && !(event.key === "Enter" && exact) && !(event.key === "Tab" && event.shiftKey) && !event.altKey) {
          event.preventDefault();
          action();
          return;
        }
        completion.close();
      }
      if (event.key === "Escape") {
        // Esc, then Tab: the way out of an editor that takes Tab.
        tabLeaves = true;
        return;
      }
      const leaving = tabLeaves;
      tabLeaves = false;
      if (event.key === "Tab" && !event.shiftKey && !event.ctrlKey && !event.altKey && !event.metaKey) {
        if (leaving) return;
        event.preventDefault();
        const { selectionStart: start, selectionEnd: end, value } = box;
        if (value.slice(start, end).includes("\n")) {
          const from = value.lastIndexOf("\n", start - 1) + 1;
          const block = value.slice(from, end).replace(/^/gm, "  ");
          editor.replace(from, end, block);
          box.setSelectionRange(from, from + block.length);
        } else editor.replace(start, end, "  ");
        return;
      }
      if (event.key === "Enter" && !event.shiftKey && !event.altKey && !event.ctrlKey && !event.metaKey) {
        // Keep the indentation; one level more after an opening bracket.
        event.preventDefault();
        const { text } = lineBefore(box);
        const indent = /^[ \t]*/.exec(text)[0];
        const last = text.trimEnd().slice(-1);
        const end = box.selectionEnd;
        let insert = "\n" + indent;
        let caret;
        if (last && "{([".includes(last) && text.trim()) {
          insert += "  ";
          caret = box.selectionStart + insert.length;
          const after = /^[ \t]*(.)?/.exec(box.value.slice(end))[1];
          if (after === { "{": "}", "(": ")", "[": "]" }[last]) insert += "\n" + indent;
        }
        editor.replace(box.selectionStart, end, insert, caret);
        return;
      }
      if ((event.key === "}" || event.key === "]" || event.key === ")") && box.selectionStart === box.selectionEnd && !event.ctrlKey && !event.altKey) {
        const { text } = lineBefore(box);
        if (text.length >= 2 && /^ +$/.test(text)) {
          event.preventDefault();
          const s = box.selectionStart;
          editor.replace(s - 2, s, event.key);
        }
        return;
      }
      if (isQuery && ["ArrowLeft", "ArrowRight", "Home", "End"].includes(event.key)) completion.close();
    });
  }

  queryBox.addEventListener("input", (event) => {
    checkSoon();
    if (queryEditor.programmatic || event.isComposing) return;
    const ch = event.data;
    const before = queryBox.value.slice(0, queryBox.selectionStart);
    if (event.inputType === "insertText" && ch && ch.length === 1) {
      const trigger = /[_A-Za-z0-9$@(]/.test(ch) ||
        (ch === "." && before.endsWith("...")) ||
        (ch === " " && /(\.\.\.|:|\bon|\() $/.test(before));
      if (trigger) completion.update(false);
      else completion.close();
    } else if (event.inputType && event.inputType.startsWith("delete") && completion.open) {
      completion.update(false);
    } else completion.close();
  });

  // --------------------------------------------------------------- checks

  function positionText(text, offset) {
    const at = GraphQL.lineIndex(text).at(Math.min(offset, text.length));
    return `${at.line}:${at.column}`;
  }

  // The problems under an editor: a line each, the first few, each a
  // button that puts the cursor on it.
  function showProblems(list, editor, problems, okText) {
    const text = editor.value;
    const shown = problems.slice(0, 5).map((p) => {
      const li = document.createElement("li");
      li.className = p.severity === "warning" ? "warn" : "err";
      const where = document.createElement("button");
      where.className = "where";
      where.textContent = positionText(text, p.start);
      where.title = "Go there";
      where.addEventListener("click", () => {
        editor.ta.focus();
        editor.ta.setSelectionRange(Math.min(p.start, text.length), Math.min(p.end, text.length));
      });
      li.append(where, " ", p.message);
      return li;
    });
    if (problems.length > 5) {
      const li = document.createElement("li");
      li.className = "muted";
      li.textContent = `and ${problems.length - 5} more`;
      shown.push(li);
    }
    if (!problems.length && okText) {
      const li = document.createElement("li");
      li.className = "ok";
      li.textContent = okText;
      shown.push(li);
    }
    list.replaceChildren(...shown);
    list.classList.remove("stale");
  }

  // Until the next check, what the lists say may no longer hold.
  for (const [box, list] of [[queryBox, "problems"], [variablesBox, "variables-problems"], [headersBox, "headers-problems"]]) {
    box.addEventListener("input", () => $(list).classList.add("stale"));
  }
  queryBox.addEventListener("input", () => $("variables-problems").classList.add("stale"));

  function checkQuery() {
    const text = queryEditor.value;
    const parsed = GraphQL.parse(text);
    let problems = [];
    if (parsed.error) problems = [{ ...parsed.error, severity: "error", message: "Syntax error: " + parsed.error.message }];
    else if (schema) problems = GraphQL.validate(parsed.document, schema.gql);
    queryEditor.setMarks(problems);
    const ok = !text.trim() ? "" : schema ? "✓ Valid against the schema." : "✓ No syntax errors (the schema is not loaded).";
    showProblems($("problems"), queryEditor, problems, ok);
    checkVariables(parsed);
  }

  // A JSON reader that says where the first mistake is.
  function checkJson(text) {
    let i = 0;
    const fail = (message) => {
      throw { start: i, end: i + 1, message };
    };
    const ws = () => {
      while (i < text.length && " \t\n\r".includes(text[i])) i++;
    };
    const value = () => {
      ws();
      const c = text[i];
      if (c === "{") {
        i++;
        ws();
        const out = {};
        if (text[i] === "}") {
          i++;
          return out;
        }
        for (;;) {
          ws();
          if (text[i] !== '"') fail(text[i] === "}" ? "A comma before } is not allowed in JSON." : 'Expected a key in double quotes.');
          const key = string();
          ws();
          if (text[i] !== ":") fail('Expected ":" after the key.');
          i++;
          out[key] = value();
          ws();
          if (text[i] === ",") {
            i++;
            continue;
          }
          if (text[i] === "}") {
            i++;
            return out;
          }
          fail('Expected "," or "}".');
        }
      }
      if (c === "[") {
        i++;
        ws();
        const out = [];
        if (text[i] === "]") {
          i++;
          return out;
        }
        for (;;) {
          out.push(value());
          ws();
          if (text[i] === ",") {
            i++;
            continue;
          }
          if (text[i] === "]") {
            i++;
            return out;
          }
          fail('Expected "," or "]".');
        }
      }
      if (c === '"') return string();
      const m = /^(-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i));
      if (!m) fail(c === undefined ? "The JSON ends too early." : c === "'" ? "JSON strings use double quotes." : `Unexpected ${JSON.stringify(c)}.`);
      i += m[0].length;
      return JSON.parse(m[0]);
    };
    const string = () => {
      const start = i;
      i++;
      while (i < text.length && text[i] !== '"' && text[i] !== "\n") i += text[i] === "\\" ? 2 : 1;
      if (text[i] !== '"') {
        i = start;
        fail("Unterminated string.");
      }
      i++;
      try {
        return JSON.parse(text.slice(start, i));
      } catch (e) {
        i = start;
        return fail("Invalid escape in a string.");
      }
    };
    const out = value();
    ws();
    if (i < text.length) fail("Unexpected text after the JSON value.");
    return out;
  }

  // JSON problems of the variables or headers pane, and for the variables
  // what the operation at the cursor expects.
  function jsonProblems(text, what, expectObject) {
    if (!text.trim()) return { problems: [], value: {} };
    try {
      const value = checkJson(text);
      if (expectObject && (value === null || typeof value !== "object" || Array.isArray(value))) {
        return { problems: [{ start: 0, end: text.length, message: `${what} must be a JSON object.`, severity: "error" }] };
      }
      return { problems: [], value };
    } catch (e) {
      if (!("start" in e)) throw e;
      return { problems: [{ ...e, message: e.message, severity: "error" }] };
    }
  }

  function checkVariables(parsed) {
    const text = variablesEditor.value;
    const { problems, value } = jsonProblems(text, "Variables", true);
    const op = parsed && parsed.document ? GraphQL.operationAt(parsed.document, queryBox.selectionStart) : null;
    if (value && op) {
      const defined = new Set(op.variables.map((v) => v.name.value));
      const name = op.name ? ` of ${op.name.value}` : "";
      for (const v of op.variables) {
        if (v.type.kind === "NonNullType" && !v.defaultValue && !(v.name.value in value)) {
          problems.push({ start: 0, end: Math.max(1, text.length), severity: "warning", message: `The operation${name} needs "${v.name.value}" (${GraphQL.printType(v.type)}).` });
        }
      }
      for (const key of Object.keys(value)) {
        if (!defined.has(key)) {
          const at = text.indexOf(JSON.stringify(key));
          problems.push({ start: Math.max(0, at), end: at >= 0 ? at + key.length + 2 : 1, severity: "warning", message: `"${key}" is not a variable of the operation${name}.` });
        }
      }
    }
    variablesEditor.setMarks(problems.filter((p) => p.start > 0 || p.end < text.length || p.severity === "error"));
    showProblems($("variables-problems"), variablesEditor, problems, "");
  }

  function checkHeaders() {
    const text = headersEditor.value;
    const { problems, value } = jsonProblems(text, "Headers", true);
    if (value) {
      for (const [key, v] of Object.entries(value)) {
        if (typeof v !== "string") {
          const at = text.indexOf(JSON.stringify(key));
          problems.push({ start: Math.max(0, at), end: at + key.length + 2, severity: "warning", message: `The value of "${key}" should be a string.` });
        }
      }
    }
    headersEditor.setMarks(problems);
    showProblems($("headers-problems"), headersEditor, problems, "");
  }

  const checkSoon = debounce(checkQuery, CHECK_AFTER_MS);
  const checkVariablesSoon = debounce(() => checkVariables(GraphQL.parse(queryEditor.value)), CHECK_AFTER_MS);
  const checkHeadersSoon = debounce(checkHeaders, CHECK_AFTER_MS);
  variablesBox.addEventListener("input", checkVariablesSoon);
  headersBox.addEventListener("input", checkHeadersSoon);

  // ------------------------------------------------------------ layout

  function selectTab(which) {
    const variables = which === "variables";
    $("variables-pane").hidden = !variables;
    $("headers-pane").hidden = variables;
    $("variables-problems").hidden = !variables;
    $("headers-problems").hidden = variables;
    $("tab-variables").setAttribute("aria-selected", String(variables));
    $("tab-headers").setAttribute("aria-selected", String(!variables));
    (variables ? variablesEditor : headersEditor).render();
  }
  $("tab-variables").addEventListener("click", () => selectTab("variables"));
  $("tab-headers").addEventListener("click", () => selectTab("headers"));

  // The right column shows the documentation, the history or nothing.
  let side = "docs";
  function showSide(which) {
    side = which;
    document.querySelector(".layout").classList.toggle("no-docs", !which);
    $("docs").hidden = which !== "docs";
    $("history").hidden = which !== "history";
    $("docs-toggle").setAttribute("aria-expanded", String(which === "docs"));
    $("history-toggle").setAttribute("aria-expanded", String(which === "history"));
    if (which === "history") renderHistory();
  }
  $("docs-toggle").addEventListener("click", () => showSide(side === "docs" ? null : "docs"));
  $("history-toggle").addEventListener("click", () => showSide(side === "history" ? null : "history"));

  // The document laid out again; the variables and headers too, when
  // they are valid JSON.
  function prettify() {
    for (const editor of [variablesEditor, headersEditor]) {
      const text = editor.value;
      if (!text.trim()) continue;
      try {
        const pretty = JSON.stringify(JSON.parse(text), null, 2);
        if (pretty !== text) editor.setValue(pretty);
      } catch (e) {
        // Left as it is: its problems are shown under it.
      }
    }
    const out = GraphQL.prettify(queryEditor.value);
    if (out.error) {
      setStatus(out.error, true);
      return;
    }
    if (out.text !== queryBox.value) queryEditor.replace(0, queryBox.value.length, out.text, 0);
    queryBox.scrollTop = 0;
    checkSoon.now();
    setStatus("Prettified");
  }
  $("prettify").addEventListener("click", prettify);

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

  function showError(message) {
    result.textContent = message;
    result.classList.add("error");
  }

  let running = false;
  async function run() {
    if (live) stopSubscription();
    if (running) return;
    let variables;
    let headers;
    try {
      variables = parseJsonObject(variablesBox.value, "Variables");
      headers = parseJsonObject(headersBox.value, "Headers");
    } catch (e) {
      setStatus("Not sent", true);
      showError(String(e.message || e));
      return;
    }
    const query = queryBox.value;
    const parsed = GraphQL.parse(query);
    const op = GraphQL.operationAt(parsed.document, queryBox.selectionStart);
    const body = { query, variables };
    if (op && op.name && parsed.document.definitions.filter((d) => d.kind === "OperationDefinition").length > 1) body.operationName = op.name.value;
    const title = op ? (op.name ? op.name.value : op.selectionSet.selections.map((sel) => (sel.kind === "Field" ? sel.name.value : "…")).join(", ")) : null;
    remember({ query, variables: variablesBox.value, operationName: op && op.name ? op.name.value : null, title, kind: op ? op.operation : "query", at: Date.now() });
    if (op && op.operation === "subscription") {
      subscribe(body, headers, op);
      return;
    }
    running = true;
    $("run").disabled = true;
    setStatus("Running…");
    const started = performance.now();
    try {
      const { response, text, json } = await post(body);
      const ms = Math.round(performance.now() - started);
      const failed = !response.ok || (json && json.errors);
      setStatus(`${response.status} ${response.statusText} · ${ms} ms`, failed);
      showResult(json !== null ? json : text);
    } catch (e) {
      setStatus("Not sent", true);
      showError(String(e.message || e));
    } finally {
      running = false;
      $("run").disabled = false;
    }
  }
  $("run").addEventListener("click", run);

  // Indented JSON with keys, strings, numbers and literals coloured. The
  // text is escaped before any markup is added.
  // Indented JSON with keys, strings, numbers and literals coloured; each
  // piece is escaped as it is wrapped.
  const JSON_PARTS = /("(?:[^"\\]|\\.)*")(\s*:)?|\b(true|false|null)\b|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g;
  function jsonHtml(value) {
    const json = JSON.stringify(value, null, 2);
    if (json === undefined) return "";
    let html = "";
    let last = 0;
    for (const m of json.matchAll(JSON_PARTS)) {
      html += escapeHtml(json.slice(last, m.index));
      const [, str, colon, literal, number] = m;
      if (str) html += `<span class="${colon ? "j-key" : "j-string"}">${escapeHtml(str)}</span>${colon || ""}`;
      else if (literal) html += `<span class="j-literal">${literal}</span>`;
      else html += `<span class="j-number">${number}</span>`;
      last = m.index + m[0].length;
    }
    return html + escapeHtml(json.slice(last));
  }

  function showResult(value) {
    result.classList.remove("error");
    if (typeof value === "string") {
      result.textContent = value;
      return;
    }
    result.innerHTML = jsonHtml(value);
  }

  // ------------------------------------------------------- subscriptions

  // The open subscription: its socket and the events received, newest
  // first.
  let live = null;

  function showLive(on) {
    if (on && document.activeElement === $("run")) {
      $("stop").hidden = false;
      $("stop").focus();
    }
    $("run").hidden = on;
    $("stop").hidden = !on;
    if (!on && document.activeElement === $("stop")) $("run").focus();
  }

  function renderEvents(session) {
    result.classList.remove("error");
    const head = `<span class="event-note">${escapeHtml(session.note)}</span>\n\n`;
    result.innerHTML = head + session.events.map((e) =>
      `<span class="event-head">event ${e.n} · ${escapeHtml(e.time)}</span>\n${jsonHtml(e.payload)}\n\n`).join("");
  }

  function subscribe(body, headers, op) {
    const url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + ENDPOINT;
    let ws;
    try {
      ws = new WebSocket(url, "graphql-transport-ws");
    } catch (e) {
      setStatus("Not connected", true);
      showError(String(e.message || e));
      return;
    }
    const name = op.name ? op.name.value : "the subscription";
    const session = { ws, events: [], count: 0, acked: false, done: false, stopped: false, note: `Connecting to ${ENDPOINT} over WebSocket…` };
    live = session;
    showLive(true);
    setStatus("Connecting…");
    renderEvents(session);
    // Browsers cannot set headers on a WebSocket: the server reads the
    // token from the connection_init payload instead.
    const auth = Object.entries(headers).find(([k]) => k.toLowerCase() === "authorization");
    const ackTimer = setTimeout(() => {
      if (!session.acked && ws.readyState <= WebSocket.OPEN) {
        session.failure = "the server did not acknowledge the connection";
        ws.close(1000, "no acknowledgement");
      }
    }, 10000);
    const send = (message) => ws.send(JSON.stringify(message));
    ws.addEventListener("open", () => send({ type: "connection_init", payload: auth ? { Authorization: String(auth[1]) } : {} }));
    ws.addEventListener("message", (m) => {
      let message;
      try {
        message = JSON.parse(m.data);
      } catch (e) {
        return;
      }
      switch (message.type) {
        case "connection_ack":
          session.acked = true;
          clearTimeout(ackTimer);
          send({ id: "1", type: "subscribe", payload: body });
          session.note = `Subscribed to ${name}: events appear here, newest first, as they happen. ■ Stop ends it.`;
          setStatus("Subscribed · waiting for events");
          renderEvents(session);
          break;
        case "next": {
          session.count++;
          if (message.payload && message.payload.errors) session.errors = true;
          session.events.unshift({ n: session.count, time: new Date().toLocaleTimeString(), payload: message.payload });
          session.events.length = Math.min(session.events.length, EVENTS_KEPT);
          setStatus(`Subscribed · ${session.count} event${session.count === 1 ? "" : "s"}`, Boolean(message.payload && message.payload.errors));
          renderEvents(session);
          break;
        }
        case "error":
          session.done = true;
          session.refused = true;
          setStatus("Subscription refused", true);
          showResult({ errors: message.payload });
          ws.close(1000, "refused");
          break;
        case "complete":
          session.done = true;
          session.note = `The server ended ${name}.`;
          setStatus(`Completed${session.errors ? " with errors" : ""} · ${session.count} event${session.count === 1 ? "" : "s"}`, session.errors);
          renderEvents(session);
          ws.close(1000, "completed");
          break;
        case "ping":
          send({ type: "pong" });
          break;
        default:
          break;
      }
    });
    ws.addEventListener("close", (e) => {
      clearTimeout(ackTimer);
      if (live === session) {
        live = null;
        showLive(false);
      }
      const events = `${session.count} event${session.count === 1 ? "" : "s"}`;
      if (session.stopped) setStatus(`Stopped · ${events} · closed ${e.code}`);
      else if (session.refused) setStatus(`Subscription refused · closed ${e.code}`, true);
      else if (session.done) setStatus(`Completed${session.errors ? " with errors" : ""} · ${events} · closed ${e.code}`, session.errors);
      else {
        const why = session.failure || e.reason || (e.code === 1006 ? "the connection failed" : "");
        setStatus(`Connection closed · ${e.code}${why ? " · " + why : ""}`, true);
        if (!session.count) showError(`The subscription connection closed (${e.code})${why ? ": " + why : ""}.`);
      }
    });
  }

  function stopSubscription() {
    const session = live;
    if (!session) return;
    session.stopped = true;
    const ws = session.ws;
    if (ws.readyState === WebSocket.OPEN) {
      if (session.acked && !session.done) ws.send(JSON.stringify({ id: "1", type: "complete" }));
      ws.close(1000, "stopped");
    } else if (ws.readyState === WebSocket.CONNECTING) ws.close();
    live = null;
    showLive(false);
    setStatus("Stopping…");
  }
  $("stop").addEventListener("click", stopSubscription);
  window.addEventListener("pagehide", () => {
    if (live) live.ws.close(1000, "page closed");
  });

  // -------------------------------------------------------------- history

  function loadHistory() {
    try {
      const list = JSON.parse(localStorage.getItem(HISTORY_KEY) || "[]");
      return Array.isArray(list) ? list.filter((e) => e && typeof e.query === "string") : [];
    } catch (e) {
      return [];
    }
  }

  function saveHistory(list) {
    for (let keep = list.length; keep >= 0; keep = Math.floor(keep / 2)) {
      try {
        localStorage.setItem(HISTORY_KEY, JSON.stringify(list.slice(0, keep)));
        return;
      } catch (e) {
        if (keep === 0) return;
      }
    }
  }

  // Every operation run, newest first, once each (the same query with the
  // same variables moves to the top), at most HISTORY_MAX. Headers are not
  // kept: they hold tokens.
  function remember(entry) {
    const same = (e) => e.query === entry.query && (e.variables || "").trim() === (entry.variables || "").trim();
    const list = [entry, ...loadHistory().filter((e) => !same(e))].slice(0, HISTORY_MAX);
    saveHistory(list);
    if (side === "history") renderHistory();
  }

  function historyTitle(entry) {
    if (entry.title) return entry.title;
    if (entry.operationName) return entry.operationName;
    const line = entry.query.split("\n").map((l) => l.trim()).find((l) => l && !l.startsWith("#"));
    return line ? line.slice(0, 60) : "(empty)";
  }

  function renderHistory() {
    const list = loadHistory();
    const ol = $("history-list");
    $("history-clear").disabled = list.length === 0;
    if (!list.length) {
      const li = document.createElement("li");
      li.className = "muted empty";
      li.textContent = "The operations you run appear here; pick one to open it again.";
      ol.replaceChildren(li);
      return;
    }
    ol.replaceChildren(...list.map((entry, i) => {
      const li = document.createElement("li");
      const open = document.createElement("button");
      open.className = "history-item";
      open.dataset.index = String(i);
      const kind = document.createElement("span");
      kind.className = "h-kind h-" + (entry.kind || "query");
      kind.textContent = entry.kind || "query";
      const title = document.createElement("span");
      title.className = "h-title";
      title.textContent = historyTitle(entry);
      const when = document.createElement("span");
      when.className = "h-when";
      when.textContent = new Date(entry.at).toLocaleString([], { dateStyle: "short", timeStyle: "short" });
      const preview = document.createElement("span");
      preview.className = "h-preview";
      preview.textContent = entry.query.replace(/#.*$/gm, "").replace(/\s+/g, " ").trim().slice(0, 120);
      open.append(kind, title, when, preview);
      open.title = "Open in the editor";
      open.addEventListener("click", () => reopen(entry));
      const forget = document.createElement("button");
      forget.className = "h-forget";
      forget.textContent = "×";
      forget.title = "Forget this one";
      forget.setAttribute("aria-label", `Forget ${historyTitle(entry)}`);
      forget.addEventListener("click", () => {
        saveHistory(loadHistory().filter((e) => !(e.query === entry.query && e.variables === entry.variables)));
        renderHistory();
      });
      li.append(open, forget);
      return li;
    }));
  }

  function reopen(entry) {
    queryEditor.setValue(entry.query);
    variablesEditor.setValue(entry.variables || "");
    localStorage.setItem(STORAGE + "query", entry.query);
    localStorage.setItem(STORAGE + "variables", entry.variables || "");
    selectTab("variables");
    queryBox.focus();
    queryBox.setSelectionRange(0, 0);
    queryBox.scrollTop = 0;
    checkSoon.now();
    setStatus(`Opened from the history: ${historyTitle(entry)}`);
  }

  $("history-clear").addEventListener("click", () => {
    localStorage.removeItem(HISTORY_KEY);
    renderHistory();
    setStatus("History cleared");
  });

  // ----------------------------------------------------------------- docs

  const docsHistory = [];
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
    docsBack.disabled = docsHistory.length === 0;
    let parts;
    if (!schema) parts = [el("p", { class: "muted" }, "The schema is not loaded.")];
    else if (view.type) parts = renderType(view.type);
    else if (view.search) parts = renderSearch(view.search);
    else parts = renderRoot();
    docsBody.replaceChildren(...parts.filter(Boolean));
    docsBody.scrollTop = 0;
  }

  function navigate(view) {
    if (current) docsHistory.push(current);
    show(view);
  }

  docsBack.addEventListener("click", () => {
    if (docsHistory.length) show(docsHistory.pop());
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
        gql: GraphQL.makeSchema(s),
      };
      docsHistory.length = 0;
      show({});
    } catch (e) {
      schema = null;
      docsBody.replaceChildren(
        el("p", { class: "error" }, "The schema could not be loaded: " + (e.message || e)),
        el("p", { class: "muted" }, "Introspection may be switched off on this server, or it may need a token: add it under Headers and press ↻."),
      );
    }
    checkQuery();
  }
  $("docs-reload").addEventListener("click", loadSchema);

  measure();
  if (document.fonts && document.fonts.ready) document.fonts.ready.then(measure);
  checkQuery();
  checkHeaders();
  renderHistory();
  loadSchema();
})();
