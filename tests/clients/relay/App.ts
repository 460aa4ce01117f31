// The queries that spread the fragments; ErrorsQuery asks for fields that fail.
import { graphql } from 'relay-runtime';

export const appQuery = graphql`
  query AppQuery($plan: String!, $objective: String!) {
    ...PlanList_query @arguments(count: 1)
    objective(plan: $plan, code: $objective) {
      ...ObjectiveCard_objective
    }
  }
`;

export const appErrorsQuery = graphql`
  query AppErrorsQuery($plan: String!, $objective: String!) {
    node(id: "garbage") {
      id
    }
    indicator(plan: $plan, objective: $objective, code: "1") {
      id
      code
      value(period: "garbage") {
        value
      }
    }
  }
`;
