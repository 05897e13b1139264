add_library(authgate_warnings INTERFACE)
target_compile_options(authgate_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
                                                   -Wcast-align)
if(AUTHGATE_WERROR)
  target_compile_options(authgate_warnings INTERFACE -Werror)
endif()
