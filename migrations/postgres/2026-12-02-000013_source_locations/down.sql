DROP TABLE source_locations;
