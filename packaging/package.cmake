# `make package`: a Debian package (CPack's DEB generator) of the binary, the built web UI
# and a hardened systemd unit; scripts/test-package checks it (docs/operations.md).
#   /usr/bin/atelier
#   /usr/share/atelier/web/            the web UI (web/dist, built by `make build`)
#   /lib/systemd/system/atelier.service
#   /etc/atelier/atelier.env           settings (a conffile)
#   /usr/share/doc/atelier/            README.md, operations.md
# postinst creates the system user `atelier`; the service's state is /var/lib/atelier.
if(NOT TARGET atelier)
  return()
endif()

install(TARGETS atelier RUNTIME DESTINATION bin)
install(DIRECTORY ${CMAKE_SOURCE_DIR}/web/dist/ DESTINATION share/atelier/web)
install(FILES ${CMAKE_CURRENT_LIST_DIR}/atelier.service DESTINATION /lib/systemd/system)
install(FILES ${CMAKE_CURRENT_LIST_DIR}/atelier.env DESTINATION /etc/atelier)
install(FILES ${CMAKE_SOURCE_DIR}/README.md ${CMAKE_SOURCE_DIR}/docs/operations.md
              ${CMAKE_SOURCE_DIR}/docs/nginx.conf.example DESTINATION share/doc/atelier)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME atelier)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "Atelier")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "art events for communities of artists (server and web UI)")
string(CONCAT CPACK_PACKAGE_DESCRIPTION
       "Atelier runs invite-only groups of artists through art events: submissions, blind voting, likes and "
       "matches, with live notifications and email. One process on SQLite, or several on PostgreSQL.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_PACKAGE_CONTACT "Atelier maintainers <maintainers@atelier.invalid>")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION web)
# Library dependencies from the binary (dpkg-shlibdeps), plus what the scripts use.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    "${CMAKE_CURRENT_LIST_DIR}/postinst;${CMAKE_CURRENT_LIST_DIR}/prerm;${CMAKE_CURRENT_LIST_DIR}/postrm;${CMAKE_CURRENT_LIST_DIR}/conffiles")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_THREADS 0)
include(CPack)
