// Typed readers over the Relay artifacts' data types; the runtime test
// feeds them what relay-runtime read from its store.
import type { AppErrorsQuery$data } from '../generated/relay/AppErrorsQuery.graphql';
import type { ObjectiveCard_objective$data } from '../generated/relay/ObjectiveCard_objective.graphql';
import type { PlanList_query$data } from '../generated/relay/PlanList_query.graphql';

export function planCodes(data: PlanList_query$data): string[] {
  return data.plans.edges.map((edge) => edge.node.code);
}

export function planTotal(data: PlanList_query$data): number {
  return data.plans.totalCount;
}

// One line per target: `B.1/1 2025 <=10 (LE 10)`.
export function targetLines(card: ObjectiveCard_objective$data): string[] {
  return card.indicators.flatMap((indicator) =>
    indicator.targets.map((target) => {
      const { raw, comparator, number } = target.value;
      return `${card.code}/${indicator.code} ${target.year} ${raw} (${comparator ?? '-'} ${number ?? '-'})`;
    }),
  );
}

export function centreHead(card: ObjectiveCard_objective$data): string {
  return `${card.responsibilityCentre.name}: ${card.responsibilityCentre.head ?? 'no head'}`;
}

// The failed fields are null, the rest is read.
export function errorsSummary(data: AppErrorsQuery$data): string {
  const node = data.node === null ? 'node null' : `node ${data.node?.id}`;
  const value = data.indicator?.value === null ? 'value null' : 'value present';
  return `${node}, indicator ${data.indicator?.code ?? 'missing'}, ${value}`;
}
