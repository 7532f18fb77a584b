// Runs after examples/embedding's build (invoker postBuildHookScript); exampleDir is its clone.
def log = new File(exampleDir, 'build.log').getText('UTF-8')
assert log.contains("bob received 'hola, vecino' from ana") : 'the example did not deliver its message'
assert log.contains('both nodes closed') : 'the example did not close its nodes'
assert log =~ /ana\/\w+: scan round 1 \(range-scan\) done: 1 probed .*: 1 peers \(1 new\)/ : 'the example did not find bob by scanning'
assert log =~ /ana\/\w+: started, group 'vecino', listening on 127\.0\.0\.1:\d+/ : 'no INFO log from Vecino via slf4j-simple'
return true
