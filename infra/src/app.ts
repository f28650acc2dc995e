import { App, type StackProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { DataStack } from './DataStack.js';
import { suppressReviewedFindings } from './nagSuppressions.js';
import { type InfraSettings, settingsFrom } from './settings.js';
import { WorkersStack } from './WorkersStack.js';

export interface StockTradesApp {
  readonly app: App;
  readonly data: DataStack;
  readonly workers: WorkersStack;
  readonly settings: InfraSettings;
}

/**
 * The whole deployment: StockTradesData (streams, tables) and StockTradesWorkers (the fleet, its
 * roles, dashboard and alarms), checked by cdk-nag's AWS Solutions rules at synth. Context
 * (`-c shards=8`, see settings.ts) picks the parameters.
 */
export function buildApp(options: { outdir?: string; context?: Record<string, string> } = {}): StockTradesApp {
  const app = new App({ outdir: options.outdir, context: options.context });
  const settings = settingsFrom((key) => app.node.tryGetContext(key));
  // Account and region from the deploying credentials (CDK_DEFAULT_*), or left to deploy time.
  const env: StackProps['env'] = {
    account: process.env.CDK_DEFAULT_ACCOUNT,
    region: process.env.CDK_DEFAULT_REGION,
  };
  const data = new DataStack(app, 'StockTradesData', settings, {
    env,
    description: 'stock-trades: streams and tables',
  });
  const workers = new WorkersStack(app, 'StockTradesWorkers', data, settings, {
    env,
    description: 'stock-trades: the worker fleet on ECS Fargate, its roles, dashboard and alarms',
  });
  suppressReviewedFindings(data, workers);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, data, workers, settings };
}
