// An objective with its indicators, refetchable through `node(id:)`.
import { graphql } from 'relay-runtime';

export const objectiveCardFragment = graphql`
  fragment ObjectiveCard_objective on Objective
  @argumentDefinitions(year: { type: "Int", defaultValue: 2025 })
  @refetchable(queryName: "ObjectiveCardRefetchQuery") {
    id
    code
    title
    responsibilityCentre {
      name
      head
    }
    indicators {
      id
      code
      unit
      direction
      targets {
        id
        year
        value {
          raw
          comparator
          number
        }
      }
    }
    achievement(year: $year) {
      status
      degree
    }
  }
`;
