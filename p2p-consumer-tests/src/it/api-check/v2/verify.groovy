// Runs after the fixture's 1.0.1 build, which had to fail: it must have failed on the API check,
// naming the removed method, and not for any other reason.
def log = new File(basedir, 'build.log').getText('UTF-8')
assert log.contains('japicmp-maven-plugin') && log.contains('(api-check)') : 'the API check did not run'
assert log =~ /fixture\.Greeter.*bye\(\).*METHOD_REMOVED|METHOD_REMOVED.*bye/ : 'the API check did not name the removed method'
assert log.contains('BUILD FAILURE') : 'the build should have failed'
return true
