// A paginated list of plans: @connection on the root `plans` connection.
import { graphql } from 'relay-runtime';

export const planListFragment = graphql`
  fragment PlanList_query on QueryRoot
  @argumentDefinitions(
    count: { type: "Int", defaultValue: 10 }
    cursor: { type: "String" }
  )
  @refetchable(queryName: "PlanListPaginationQuery") {
    plans(first: $count, after: $cursor) @connection(key: "PlanList_plans") {
      totalCount
      edges {
        node {
          id
          code
          title
          kind
          firstYear
          lastYear
        }
      }
    }
  }
`;
