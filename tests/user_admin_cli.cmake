# user_admin_cli.cmake — `parley-server --user ...` end to end on a scratch data directory:
# add, refusals (same name in another case, mixed scripts, empty password, unknown account),
# role, disable, list, delete. Run with -DSERVER=<exe> -DWORK=<dir> [-DEMULATOR=<wine-run>]
# [-DPATH_PREFIX=Z:].
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
file(WRITE ${WORK}/pw "correct horse\n")
file(WRITE ${WORK}/empty "\n")
set(data "${PATH_PREFIX}${WORK}/data")
set(pw "${PATH_PREFIX}${WORK}/pw")

# step(NAME EXPECT_RC REGEX args...): runs the server with args, checks exit code and output.
function(step name expect_rc regex)
  execute_process(COMMAND ${EMULATOR} ${SERVER} --data-dir ${data} --user ${ARGN}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc STREQUAL "${expect_rc}")
    message(FATAL_ERROR "${name}: exit ${rc}, expected ${expect_rc}\nstdout: ${out}\nstderr: ${err}")
  endif()
  if(NOT "${out}${err}" MATCHES "${regex}")
    message(FATAL_ERROR "${name}: output does not match '${regex}'\nstdout: ${out}\nstderr: ${err}")
  endif()
  message(STATUS "${name}: ok")
endfunction()

step(add 0 "add alice: done" add alice --role operator --password-file ${pw} --iterations 4096)
step(add_other_case 1 "'ALICE' is taken: it is the same name as the account 'alice'"
     add ALICE --password-file ${pw})
# The second letter below is Cyrillic а (U+0430).
step(add_mixed_script 1 "cannot mix scripts: character 2 is Cyrl, not Latn"
     add "pаypal" --password-file ${pw} --iterations 4096)
step(add_greek 0 "done" add "Ελένη" --display "Ελένη Παπά" --password-file ${pw} --iterations 4096)
step(add_empty_password 1 "the password is empty; nothing changed"
     add bob --password-file ${PATH_PREFIX}${WORK}/empty)
step(add_low_iterations 2 "--iterations 100: give a number from 4096"
     add bob --password-file ${pw} --iterations 100)
step(passwd_unknown 1 "no account 'nobody'" passwd nobody --password-file ${pw})
step(role 0 "role ALICE: done" role ALICE admin)
step(bad_role 2 "boss: not a role" role alice boss)
step(disable 0 "disable alice: done" disable alice)
step(list 0 "alice +admin +disabled .*Ελένη +user +enabled .*Ελένη Παπά" list)
step(delete 0 "delete Alice: done" delete Alice)
step(list_after 0 "Ελένη" list)
step(unknown_command 2 "unknown command frob" frob)
