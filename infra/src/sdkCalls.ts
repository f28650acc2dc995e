import { dirname, join, sep } from 'node:path';
import ts from 'typescript';

/** The AWS SDK clients the project uses, and the IAM service prefix of each. */
const SDK_SERVICES: Readonly<Record<string, string>> = {
  '@aws-sdk/client-kinesis': 'kinesis',
  '@aws-sdk/client-dynamodb': 'dynamodb',
  '@aws-sdk/client-cloudwatch': 'cloudwatch',
};

/**
 * The SDK's waiters poll one operation each (DescribeStream for a stream, DescribeTable for a
 * table): a call to one sends that operation, though the code never builds its Command.
 */
const WAITER_ACTIONS: Readonly<Record<string, string>> = {
  waitUntilStreamExists: 'kinesis:DescribeStream',
  waitUntilStreamNotExists: 'kinesis:DescribeStream',
  waitUntilTableExists: 'dynamodb:DescribeTable',
  waitUntilTableNotExists: 'dynamodb:DescribeTable',
};

/**
 * Every AWS API call a command can make, as IAM actions (`kinesis:GetRecords`), found in the
 * code rather than listed by hand: from the command's entry file, every function, method and
 * constructor it can reach, following calls and references through our packages' sources
 * (a call through an interface or a base class reaches that member of every class the command
 * makes or names whose instances are of that type, and no other), and in each, every SDK
 * `Command` it constructs and every SDK waiter it
 * calls. It over-approximates only where code is reachable but not run for a given flag (the
 * consumer's fan-out calls are reached whether or not `--retrieval fan-out` is given), which
 * is what a role for every flag needs. Each action maps to where it is sent (file:line).
 */
export function sdkCallsFrom(program: ts.Program, entryFile: string): Map<string, string[]> {
  const checker = program.getTypeChecker();
  const root = ourRoot(entryFile);
  const ours = (file: ts.SourceFile) =>
    file.fileName.startsWith(root) && !file.fileName.includes(`${sep}node_modules${sep}`) && !file.isDeclarationFile;
  const found = new Map<string, string[]>();
  const add = (action: string, node: ts.Node) => {
    const file = node.getSourceFile();
    const where = `${file.fileName.slice(root.length + 1)}:${file.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
    const places = found.get(action) ?? [];
    if (!places.includes(where)) places.push(where);
    found.set(action, places);
  };
  /** Classes the command can make or name: only they can be on the far side of a call through a type. */
  const liveClasses = new Set<ts.ClassLikeDeclaration>();
  /** Calls through an interface or a base class so far: each lands on that member of every live class of the type. */
  const virtualCalls: Array<{ readonly containerType: ts.Type; readonly container: ts.Node; readonly name: string }> =
    [];
  const land = (call: (typeof virtualCalls)[number], live: ts.ClassLikeDeclaration) => {
    if (live === call.container || !checker.isTypeAssignableTo(checker.getTypeAtLocation(live), call.containerType)) {
      return;
    }
    for (const member of live.members) {
      if (member.name?.getText() === call.name && !ts.isPropertyDeclaration(member)) reach(member);
    }
  };
  const visited = new Set<ts.Node>();
  const queue: ts.Node[] = [];
  const reach = (declaration: ts.Node) => {
    if (visited.has(declaration)) return;
    visited.add(declaration);
    queue.push(declaration);
  };
  const entry = program.getSourceFile(entryFile);
  if (!entry) throw new Error(`${entryFile} is not in the program`);
  reach(entry);

  const symbolAt = (node: ts.Node): ts.Symbol | undefined => {
    const symbol = checker.getSymbolAtLocation(node);
    return symbol && symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
  };
  const sdkModuleOf = (declaration: ts.Declaration): string | undefined => {
    const file = declaration.getSourceFile().fileName;
    return Object.keys(SDK_SERVICES).find((module) => file.includes(`${sep}${module.replace('/', sep)}${sep}`));
  };

  const visit = (node: ts.Node): void => {
    if (ts.isNewExpression(node)) {
      const symbol = symbolAt(node.expression);
      const declaration = symbol?.declarations?.[0];
      const module = declaration && sdkModuleOf(declaration);
      const name = symbol?.getName() ?? '';
      if (module && name.endsWith('Command')) add(`${SDK_SERVICES[module]}:${name.slice(0, -'Command'.length)}`, node);
    }
    if (ts.isIdentifier(node) || ts.isPrivateIdentifier(node)) {
      const symbol = symbolAt(node);
      for (const declaration of symbol?.declarations ?? []) {
        const waiter = WAITER_ACTIONS[symbol?.getName() ?? ''];
        if (waiter && sdkModuleOf(declaration)) add(waiter, node);
        if (!ours(declaration.getSourceFile())) continue;
        for (const target of bodiesOf(declaration)) reach(target);
        if (
          (ts.isClassDeclaration(declaration) || ts.isClassExpression(declaration)) &&
          !liveClasses.has(declaration)
        ) {
          liveClasses.add(declaration);
          for (const call of virtualCalls) land(call, declaration);
        }
        const call = virtualCallOf(declaration, checker);
        if (call && !virtualCalls.some((known) => known.container === call.container && known.name === call.name)) {
          virtualCalls.push(call);
          for (const live of liveClasses) land(call, live);
        }
      }
    }
    ts.forEachChild(node, visit);
  };

  while (queue.length > 0) {
    const node = queue.shift() as ts.Node;
    // A module runs its top level when imported; a declaration only when reached.
    if (ts.isSourceFile(node)) {
      for (const statement of node.statements) {
        if (!isDeclarationOnly(statement)) visit(statement);
      }
    } else {
      visit(node);
    }
  }
  return new Map([...found].sort(([a], [b]) => a.localeCompare(b)));
}

/** A Program over the repository's sources (tsconfig.json), as the type checker sees them. */
export function repositoryProgram(repositoryRoot: string): ts.Program {
  const configFile = join(repositoryRoot, 'tsconfig.json');
  const config = ts.readConfigFile(configFile, (file) => ts.sys.readFile(file));
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, dirname(configFile));
  return ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options });
}

/** The repository a file belongs to: the folder above its `packages/` (or `infra/`, `scripts/`). */
function ourRoot(file: string): string {
  const parts = file.split(sep);
  const at = parts.findIndex((part) => part === 'packages' || part === 'infra' || part === 'scripts');
  return parts.slice(0, at).join(sep);
}

/** Statements that only declare (run nothing until called): functions, classes, types, imports. */
function isDeclarationOnly(statement: ts.Statement): boolean {
  return (
    ts.isFunctionDeclaration(statement) ||
    ts.isClassDeclaration(statement) ||
    ts.isInterfaceDeclaration(statement) ||
    ts.isTypeAliasDeclaration(statement) ||
    ts.isImportDeclaration(statement) ||
    ts.isExportDeclaration(statement)
  );
}

/** What runs when a declaration is reached: a function's or method's body, a class's constructor and fields. */
function bodiesOf(declaration: ts.Declaration): ts.Node[] {
  if (ts.isClassDeclaration(declaration) || ts.isClassExpression(declaration)) {
    return declaration.members.filter(
      (member) => ts.isConstructorDeclaration(member) || (ts.isPropertyDeclaration(member) && member.initializer),
    );
  }
  if (
    ts.isMethodDeclaration(declaration) ||
    ts.isPropertyDeclaration(declaration) ||
    ts.isGetAccessorDeclaration(declaration) ||
    ts.isFunctionDeclaration(declaration) ||
    ts.isVariableDeclaration(declaration) ||
    ts.isConstructorDeclaration(declaration) ||
    ts.isPropertyAssignment(declaration) ||
    ts.isShorthandPropertyAssignment(declaration)
  ) {
    return [declaration];
  }
  return [];
}

/** A member of an interface or a class: a call to it may run the member of that name of any class of the type. */
function virtualCallOf(
  declaration: ts.Declaration,
  checker: ts.TypeChecker,
): { containerType: ts.Type; container: ts.Node; name: string } | undefined {
  const isMember =
    ts.isMethodDeclaration(declaration) ||
    ts.isMethodSignature(declaration) ||
    ts.isPropertySignature(declaration) ||
    ts.isGetAccessorDeclaration(declaration);
  const container = declaration.parent;
  if (!isMember || !(ts.isClassLike(container) || ts.isInterfaceDeclaration(container))) return undefined;
  return { containerType: checker.getTypeAtLocation(container), container, name: declaration.name.getText() };
}
