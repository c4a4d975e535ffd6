/** Server instructions: the loop in brief, for hosts that show no prompts. Kept under 2 KB. */
export const INSTRUCTIONS = `codeflash-mcp keeps the exact half of a performance-optimization loop: environment, profiles, statistics, the experiment ledger, the guard and the handoff. You read code, form hypotheses and edit; the server measures and records.

Loop:
1. session_start (goal, guard, branch; the domain comes from the goal) — or session_resume to continue. If it returns questions, ask them in one message. It runs the tests once and notes what already fails.
2. run_guard once on the untouched code; record_result status "baseline" with the starting measurement.
3. scan the workload: it ranks targets across cpu, memory, async and import time. Work on target 1; target_dossier gives targets 2-5 to a research teammate. profile digs into one mode.
4. One hypothesis, one edit. run_guard revert_on_failure=true.
5. benchmark_compare base=HEAD~1 (or the branch point) head=HEAD; trust only its verdict: "unchanged" means no change beyond ±1 %, "inconclusive" that the budget ran out first.
6. record_result keep|discard|crash with comparison_id and files: keep (needs a faster verdict) commits exactly those files, discard restores them. Re-profile after a keep.
7. After 3 discards in a row (plateau) change target or domain, or finish. A slowdown with no known cause: benchmark_bisect good=<fast ref> bad=<slow ref> finds the commit.
8. record_learning for non-obvious facts; write_handoff before stopping; write_changelog.
9. PRs: pr_inventory, pr_body per kept change, write_review (the review gate); session_cleanup at the very end.

Every result carries summary and next (what to call next). Long tools (profile, benchmark_compare, benchmark_bisect, run_guard, micro_benchmark) answer within wait_s (default 8, up to 50) with the result or a job_id: poll job_status with wait_s up to 45. Every .codeflash/ file is a resource (codeflash://files/<name>) and also readable with read_artifact.`;
