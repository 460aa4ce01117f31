// Frontend code written against the generated operation types. Compiled
// with `tsc --strict`; codegen.test.mjs runs it on the server's answers.
import type {
  MissionTreeQuery,
  ObjectiveIndicatorsQuery,
  ObjectiveIndicatorsQueryVariables,
  RecordMeasurementMutation,
  RecordMeasurementMutationVariables,
  Unit,
} from '../generated/codegen/types';

export const objectiveVariables = (code: string): ObjectiveIndicatorsQueryVariables => ({
  plan: 'piano-agenzia-2025',
  code,
  period: '2025',
  year: 2025,
});

// `mission/program/action: objective codes`, one line per action.
export function budgetPaths(data: MissionTreeQuery): string[] {
  return data.missions.edges.flatMap(({ node: mission }) =>
    mission.programs.flatMap((program) =>
      program.actions.map(
        (action) =>
          `${mission.code}/${program.code}/${action.name}: ${action.objectives.map((o) => o.code).join(',')}`,
      ),
    ),
  );
}

export function missionCount(data: MissionTreeQuery): number {
  return data.missions.totalCount;
}

// Exhaustive over the Unit enum: a new unit in the schema breaks the build.
const unitSuffix: Record<Unit, string> = { DAYS: ' days', PERCENT: '%', COUNT: '' };

// `B.1/1 LOWER_IS_BETTER baseline 18 target LE 10 days, no value, NO_DATA`.
export function indicatorLines(data: ObjectiveIndicatorsQuery): string[] {
  const objective = data.objective;
  if (objective === null) return [];
  return objective.indicators.map((indicator) => {
    const target = indicator.targets.find((t) => t.year === 2025);
    const targetText = target
      ? `${target.value.comparator ?? '-'} ${target.value.number ?? '?'}${unitSuffix[indicator.unit]}`
      : 'no target';
    const computed = indicator.value ? `${indicator.value.status} ${indicator.value.value ?? '-'}` : 'no value';
    return [
      `${objective.code}/${indicator.code} ${indicator.direction}`,
      `baseline ${indicator.baseline?.number ?? '-'}`,
      `target ${targetText}, ${computed}, ${indicator.achievement.status}`,
    ].join(' ');
  });
}

// `2: 2025=3 (portale)` for each measured indicator.
export function latestMeasurements(data: ObjectiveIndicatorsQuery): string[] {
  return (data.objective?.indicators ?? []).flatMap((indicator) => {
    const latest = indicator.latestMeasurement;
    return latest ? [`${indicator.code}: ${latest.period}=${latest.value ?? '-'} (${latest.source})`] : [];
  });
}

export function headline(data: ObjectiveIndicatorsQuery): string | null {
  const objective = data.objective;
  if (!objective) return null;
  const score = objective.maxScore ? `${objective.maxScore.points}/${objective.maxScore.outOf}` : 'no score';
  const head = objective.responsibilityCentre.head ?? 'no head';
  return `${objective.code} ${objective.title} (${objective.responsibilityCentre.name}, ${head}, ${score})`;
}

export const measurementVariables = (indicator: string): RecordMeasurementMutationVariables => ({
  indicator,
  period: '2025',
  value: '3',
  source: 'portale',
});

export function recordedText(data: RecordMeasurementMutation): string {
  const m = data.recordMeasurement;
  const latest = m.indicator.latestMeasurement;
  return (
    `${m.indicator.code} ${m.period} ${m.periodStart}..${m.periodEnd} = ${m.value ?? '-'}` +
    ` (${m.source}, by ${m.recordedBy}); latest ${latest ? `${latest.period}=${latest.value ?? '-'}` : 'none'}`
  );
}

// Compile-time only (never called): each marked line must not compile.
export function typeChecks(data: ObjectiveIndicatorsQuery, tree: MissionTreeQuery): number {
  // @ts-expect-error `objective` is nullable
  void data.objective.code;
  // @ts-expect-error `latestMeasurement` is nullable
  void data.objective?.indicators[0].latestMeasurement.period;
  // @ts-expect-error a Decimal is a string
  const wrong: number | null | undefined = data.objective?.indicators[0].value?.value;
  // @ts-expect-error `Unit` has no such value
  const unit: Unit = 'EUROS';
  void wrong;
  void unit;
  return tree.missions.totalCount;
}
