-- A team's range of hourly rollups: the dashboard filtered to one team (overview, spend API). The
-- unique key leads with (orgId, hour), so such a read walked every rollup row of the org's range and
-- kept the team's (on the seed:large org, 21,317 index entries for a team's 2,647 rows over 30 days).
CREATE INDEX "UsageRollup_orgId_teamId_hour_idx" ON "UsageRollup"("orgId", "teamId", "hour");
