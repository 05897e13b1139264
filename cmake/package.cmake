# The Debian package: `cpack -G DEB` (or `cmake --build <dir> --target package`) in a build directory
# makes authgate_<version>_<arch>.deb holding the stripped executable, a sandboxed systemd unit, a starting
# config in /etc/authgate (conffiles) and the maintainer scripts of packaging/debian/. Its Depends line is
# computed by dpkg-shlibdeps from the executable (dpkg-dev). Only the runtime is packaged: the headers and
# static libraries stay with `cmake --install` (docs/install.md).
#
# The system files use absolute Debian paths, so they belong to a component of their own that a plain
# `cmake --install` leaves out (EXCLUDE_FROM_ALL): installing into a prefix never writes to /etc.
set(AUTHGATE_PACKAGING_DIR ${PROJECT_SOURCE_DIR}/packaging)

# bookworm's systemd (252) keeps package units in /lib/systemd/system (/usr/lib/... from trixie on).
install(FILES ${AUTHGATE_PACKAGING_DIR}/authgate.service DESTINATION /lib/systemd/system
        COMPONENT system EXCLUDE_FROM_ALL)
install(FILES ${AUTHGATE_PACKAGING_DIR}/authgate.yaml ${AUTHGATE_PACKAGING_DIR}/users.htpasswd
        DESTINATION /etc/authgate COMPONENT system EXCLUDE_FROM_ALL)
install(FILES ${PROJECT_SOURCE_DIR}/docs/install.md ${PROJECT_SOURCE_DIR}/docs/configuration.md
              ${PROJECT_SOURCE_DIR}/docs/operations.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT system EXCLUDE_FROM_ALL)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME authgate)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "authgate maintainers <maintainers@users.noreply.r-seed-5aec9bca.example>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "HTTP authentication gateway")
set(CPACK_PACKAGE_DESCRIPTION
    "A reverse proxy that enforces authentication per route in front of upstream
applications (Basic, Digest and Bearer, to the letter of RFC 9110 section 11),
the forward-auth decision endpoint for nginx, Traefik, Caddy, Envoy and HAProxy,
and an authenticating forward proxy. It runs as the systemd service
authgate.service, configured in /etc/authgate.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGE_DIRECTORY ${PROJECT_BINARY_DIR}/packages)

# One package made of the components named here (the development one is not among them).
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL runtime system)
set(CPACK_COMPONENTS_GROUPING ALL_COMPONENTS_IN_ONE)

set(CPACK_DEBIAN_PACKAGE_NAME authgate)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION httpd)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# postinst creates the system user with adduser; shlibdeps adds the shared libraries.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
# HTTPS key sources and upstreams verify against the system CA store.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "systemd, ca-certificates")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${AUTHGATE_PACKAGING_DIR}/debian/conffiles ${AUTHGATE_PACKAGING_DIR}/debian/postinst
    ${AUTHGATE_PACKAGING_DIR}/debian/prerm ${AUTHGATE_PACKAGING_DIR}/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)  # scripts 0755, conffiles 0644, whatever git kept

# `package_source` (a by-product of include(CPack)): the sources, without build trees, history or npm modules.
set(CPACK_SOURCE_GENERATOR TGZ)
set(CPACK_SOURCE_IGNORE_FILES "/\\.git/" "/\\.cache/" "/build/" "/out/" "/node_modules/" "/__pycache__/")

include(CPack)
